"""The notice-window calendar of the renewals coming up."""
