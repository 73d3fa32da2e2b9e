"""The one error the patch verifiers raise for a malformed answer."""


class PatchFormatError(ValueError):
    """The answer breaks the format: reward ``format_error_reward`` (-1.0, as in SWE-RL)."""
