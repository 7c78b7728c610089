"""What each role's home page shows."""
