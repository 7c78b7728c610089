"""Domain rules. Every function takes the SQLAlchemy Session it works in; none reads the request."""
