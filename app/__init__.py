"""orderpromise: can operations deliver this quantity on this date, and if not, when?"""
