"""HTML pages: the sales rep's quote check (/quote) and the operations review (/ops).

Thin like the API routers: parse the form or query, call the same service functions the API
calls, render a template. Holding, confirming and releasing a promise is done by the quote
page's script against the JSON API itself.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.status import HTTP_303_SEE_OTHER

from app.deps import ClockDep, SessionDep, SettingsDep
from app.errors import DomainError, FieldError, NotFound
from app.pages.allocation_chart import allocation_chart
from app.pages.forms import QuoteForm, errors_by_field, ops_query, parse_form
from app.pages.rendering import STATIC_DIR, templates, weekly_totals
from app.pages.security import (
    CSRF_FIELD,
    PageUser,
    csrf_of,
    csrf_ok,
    remember,
    safe_next,
    session_key,
    sign_in,
    sign_out,
)
from app.pages.svg import capacity_heatmap, option_timelines, timeline
from app.schemas.check import CheckResult
from app.services.catalogue import plant_catalogue
from app.services.checks import read_check, run_check
from app.services.ops_review import ops_review
from app.services.page_access import role_for_key

router = APIRouter(include_in_schema=False)


# Pages follow the API's role table (SPEC section 3): checking is for crm and sales, the review
# reads checks and promises (ops and crm), a stored answer may be read by every reading role.
QUOTE_ROLES = ("crm", "sales")
REVIEW_ROLES = ("ops", "crm")
READ_ROLES = ("ops", "crm", "sales")


class SignInRequired(Exception):
    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class PageForbidden(Exception):
    def __init__(self, user: PageUser, roles: tuple[str, ...]) -> None:
        super().__init__(user.role)
        self.user = user
        self.roles = roles


def _page_user(
    request: Request, session: SessionDep, settings: SettingsDep, roles: tuple[str, ...]
) -> PageUser:
    csrf, new_csrf = csrf_of(request)
    if not settings.auth:
        return PageUser(role=None, csrf=csrf, new_csrf=new_csrf)
    key = session_key(request)
    role = role_for_key(session, settings, key) if key else None
    if role is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    user = PageUser(role=role, csrf=csrf, new_csrf=new_csrf)
    if role not in roles:
        raise PageForbidden(user, roles)
    return user


def quote_user(request: Request, session: SessionDep, settings: SettingsDep) -> PageUser:
    return _page_user(request, session, settings, QUOTE_ROLES)


def review_user(request: Request, session: SessionDep, settings: SettingsDep) -> PageUser:
    return _page_user(request, session, settings, REVIEW_ROLES)


def reader(request: Request, session: SessionDep, settings: SettingsDep) -> PageUser:
    return _page_user(request, session, settings, READ_ROLES)


async def form_fields(request: Request) -> dict[str, str]:
    return parse_form(await request.body())


QuoteUserDep = Annotated[PageUser, Depends(quote_user)]
ReviewUserDep = Annotated[PageUser, Depends(review_user)]
ReaderDep = Annotated[PageUser, Depends(reader)]
FormDep = Annotated[dict[str, str], Depends(form_fields)]


def _page(
    request: Request, user: PageUser, name: str, context: dict[str, Any], status: int = 200
) -> Response:
    response = templates.TemplateResponse(
        request, name, {"user": user, **context}, status_code=status
    )
    return remember(response, request, user)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/quote", status_code=HTTP_303_SEE_OTHER)


# -- quote check ---------------------------------------------------------------------------------


@router.get("/quote", response_class=HTMLResponse)
def quote_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: QuoteUserDep,
) -> Response:
    """The quote form; a deep link (?sku=BIKE&qty=40&date=2026-12-08) fills it and checks."""
    form = QuoteForm.from_link(parse_qs(request.url.query))
    if form is None:
        return _quote(request, session=session, user=user, form=QuoteForm())
    return _check(request, session=session, settings=settings, clock=clock, user=user, form=form)


@router.post("/quote", response_class=HTMLResponse)
def post_quote(
    request: Request,
    *,
    fields: FormDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: QuoteUserDep,
) -> Response:
    form = QuoteForm.from_fields(fields)
    if not csrf_ok(request, fields.get(CSRF_FIELD)):
        stale = FieldError("", "The form had expired and was not checked; please check again.")
        return _quote(request, session=session, user=user, form=form, errors=[stale], status=403)
    return _check(request, session=session, settings=settings, clock=clock, user=user, form=form)


def _check(
    request: Request,
    *,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: PageUser,
    form: QuoteForm,
) -> Response:
    try:
        result = run_check(session, settings, form.to_request(), clock())
    except DomainError as exc:
        # The API's own problem: its field errors by pointer, or its detail for the whole form.
        errors = list(exc.errors) or [FieldError("", exc.detail)]
        return _quote(
            request, session=session, user=user, form=form, errors=errors, status=exc.status
        )
    return _quote(request, session=session, user=user, form=form, result=result)


def _quote(
    request: Request,
    *,
    session: SessionDep,
    user: PageUser,
    form: QuoteForm,
    errors: list[FieldError] | None = None,
    result: CheckResult | None = None,
    status: int = 200,
) -> Response:
    catalogue = plant_catalogue(session)
    field_errors, general_errors = errors_by_field(errors or [])
    context = {
        "form": form,
        "items": catalogue.items,
        "field_errors": field_errors,
        "general_errors": general_errors,
        "result": result,
        "resources": catalogue.resources,
        "timelines": _timelines(result, catalogue.resources),
        "option_pictures": _option_pictures(result, catalogue.resources),
        "hold_request": form.to_document() if result else None,
    }
    return _page(request, user, "quote.html", context, status)


def _option_pictures(
    result: CheckResult | None, resources: dict[str, str]
) -> dict[str, list[list[Any]]]:
    if result is None:
        return {}
    return {
        line.line_ref: option_timelines(line, f"timeline-{i}", resources)
        for i, line in enumerate(result.lines)
        if line.options
    }


def _timelines(result: CheckResult | None, resources: dict[str, str]) -> dict[str, Any]:
    if result is None:
        return {}
    return {
        line.line_ref: timeline(line, f"timeline-{i}", resources)
        for i, line in enumerate(result.lines)
    }


# -- operations review ---------------------------------------------------------------------------


@router.get("/ops", response_class=HTMLResponse)
def ops_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: ReviewUserDep,
) -> Response:
    query, filters, errors = ops_query(request.query_params)
    review = ops_review(session, settings, clock(), query)
    field_errors, _ = errors_by_field([*errors, *review.errors])
    context = {
        "review": review,
        "filters": filters,
        "cursor": query.cursor,
        "field_errors": field_errors,
        "heatmap": capacity_heatmap(review.capacity, review.proposed_minutes()),
        "allocation_chart": allocation_chart(
            review.allocations, review.capacity.first, review.capacity.last
        ),
        "capacity_weeks": weekly_totals(review.capacity),
        "weeks": query.capacity_days // 7,
        "items": plant_catalogue(session).items,
    }
    return _page(request, user, "ops.html", context)


@router.get("/ops/checks/{check_id}", response_class=HTMLResponse)
def check_page(request: Request, check_id: str, session: SessionDep, user: ReaderDep) -> Response:
    """A stored answer in full: every line, its plan and why."""
    try:
        result = read_check(session, check_id)
    except NotFound as exc:
        return _page(request, user, "not_found.html", {"detail": exc.detail}, status=404)
    resources = plant_catalogue(session).resources
    context = {
        "result": result,
        "resources": resources,
        "timelines": _timelines(result, resources),
        "option_pictures": _option_pictures(result, resources),
    }
    return _page(request, user, "check.html", context)


# -- sign-in -------------------------------------------------------------------------------------


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, settings: SettingsDep) -> Response:
    user = _anonymous(request)
    context = {"next": safe_next(request.query_params.get("next")), "auth": settings.auth}
    return _page(request, user, "signin.html", context)


@router.post("/signin", response_class=HTMLResponse)
def post_signin(
    request: Request, fields: FormDep, session: SessionDep, settings: SettingsDep
) -> Response:
    user = _anonymous(request)
    target = safe_next(fields.get("next"))
    context: dict[str, Any] = {"next": target, "auth": settings.auth}
    if not csrf_ok(request, fields.get(CSRF_FIELD)):
        context["error"] = "The form had expired; please sign in again."
        return _page(request, user, "signin.html", context, status=403)
    key = fields.get("api_key", "").strip()
    if not settings.auth:
        return RedirectResponse(target, status_code=HTTP_303_SEE_OTHER)
    if not key or role_for_key(session, settings, key) is None:
        context["error"] = "This API key is not valid."
        return _page(request, user, "signin.html", context, status=401)
    response = RedirectResponse(target, status_code=HTTP_303_SEE_OTHER)
    sign_in(response, request, key)
    return response


@router.post("/signout")
def post_signout(request: Request, fields: FormDep) -> Response:
    response = RedirectResponse("/signin", status_code=HTTP_303_SEE_OTHER)
    if csrf_ok(request, fields.get(CSRF_FIELD)):
        sign_out(response)
    return response


def _anonymous(request: Request) -> PageUser:
    csrf, new_csrf = csrf_of(request)
    return PageUser(role=None, csrf=csrf, new_csrf=new_csrf)


def _forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbidden)  # noqa: S101  (registered for it only)
    context = {"roles": exc.roles}
    return _page(request, exc.user, "forbidden.html", context, status=403)


def _to_signin(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)  # noqa: S101  (registered for it only)
    return RedirectResponse(f"/signin?next={quote(exc.target)}", status_code=HTTP_303_SEE_OTHER)


def register_pages(app: FastAPI) -> None:
    """The pages, their own CSS and JavaScript, and the sign-in redirect."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(SignInRequired, _to_signin)
    app.add_exception_handler(PageForbidden, _forbidden)
    app.include_router(router)
