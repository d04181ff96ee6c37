"""The goal shown on a petition steps up once reached, along a 1-2-5 ladder."""

LADDER = (1, 2, 5)


def next_goal(first_goal: int, count: int) -> int:
    """The first goal while it is not reached, then the next round number above the count."""
    goal = max(first_goal, 1)
    if count < goal:
        return goal
    magnitude = 1
    while True:
        for step in LADDER:
            candidate = step * magnitude
            if candidate > count and candidate > goal:
                return candidate
        magnitude *= 10
