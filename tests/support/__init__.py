"""What many tests need, written once: waiting in a Pilot, simulator accounts, a built app.

Benchmarks and scripts use it too, so the app is wired the same way everywhere.
"""
