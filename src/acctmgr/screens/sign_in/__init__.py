"""Who is at the keyboard: the first admin, an unknown login, a demo persona, the welcome."""
