"""The defaults a run can change, stated once: every face (the CLI's options and their help, the Excel functions,
the library calls) and every rule that uses them takes them from here."""

from __future__ import annotations

WEEKS = 8  # the trailing weeks looked back over: the baseline's complete weeks, the funnel's pooled rates, the
# summary's range check on the top producers
TOP_SHARE = 0.25  # the top quarter of a role's reps by outcomes: the performers whose typical week sets the ranges


class SettingError(ValueError):
    """A run's setting out of its bounds (the weeks, the top share). The sentence speaks of what the setting means;
    each face adds how the user gave it (the CLI its flag), as only the face knows that."""

    def __init__(self, setting: str, message: str):
        super().__init__(message)
        self.setting = setting  # "weeks", "window" or "top"


def check_weeks(weeks: int, setting: str = "weeks") -> None:
    if weeks < 1:
        raise SettingError(setting, f"the weeks to look back over must be at least 1, not {weeks}")


def check_top(top: float) -> None:
    if not 0 < top <= 1:
        raise SettingError("top", f"the share of reps counted as top performers is between 0 and 1 (e.g. "
                                  f"{TOP_SHARE:g} for the top quarter), not {top:g}")
