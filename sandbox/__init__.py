"""Isolated execution of untrusted code (local namespaces and Docker backends).

Not implemented yet: the sandbox issue builds it. Nothing in the service runs
model-written code until then.
"""
