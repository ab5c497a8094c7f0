"""The CP-SAT model of SPEC section 2 for lines that need a multi-level plan.

``variables`` holds the containers, ``rules`` one function per constraint family (named after the
rule of the spec it encodes), ``model`` builds and solves with every status mapped, ``solve``
runs CP-SAT (a presolved attempt, then one without presolve when the first proves nothing within
its work), and ``extract`` reads a solution back into a plan.
"""
