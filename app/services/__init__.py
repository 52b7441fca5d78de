"""Use cases. Services take the acting user and inputs as arguments, add and flush, never commit."""
