"""The people of the database: users, roles, segments, who may sign in."""
