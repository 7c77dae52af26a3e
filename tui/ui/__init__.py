"""The full-screen app (Textual): the app, its screens, the dashboard and widgets."""
