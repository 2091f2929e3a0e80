"""Payments: provider interface, offline bank transfer, online gateway adapter and simulator, callbacks."""
