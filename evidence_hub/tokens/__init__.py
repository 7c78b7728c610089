"""Your personal API tokens: create, list and revoke the tokens that read the API for you."""
