"""Printouts: every PDF the portal hands out is registered, so its paper copy can be verified later."""
