"""Scripts that build synthetic evidence at national scale and time the service against it."""
