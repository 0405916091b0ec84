"""Values per second that hypothesis-jsonschema draws from one JSON Schema.

Written by `cargo xtask bench --peers` into its peers folder and run with the venv's Python:

    python hypothesis_gen.py SCHEMA.json SECONDS

Draws values of the schema (and serialises each with json.dumps, as our generator's row does)
until SECONDS have passed, then prints one JSON line: the values drawn, the seconds taken, the
mean serialised size and the versions used. A failure is printed as one JSON line with an
"error" field, and the exit status is 1.
"""

import json
import sys
import time


class Done(Exception):
    """Raised inside the test once the time budget is spent: ends the @given run."""


def main():
    try:
        from importlib.metadata import version

        import hypothesis
        import hypothesis_jsonschema
        from hypothesis import HealthCheck, Phase, Verbosity, given, settings

        with open(sys.argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        budget = float(sys.argv[2])
        strategy = hypothesis_jsonschema.from_schema(schema)

        # Generate phase only: no example database, no shrinking, no deadline, no health
        # checks, nothing printed; only drawing (and json.dumps) is timed.
        def run(max_examples, state):
            @settings(
                max_examples=max_examples,
                phases=[Phase.generate],
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                verbosity=Verbosity.quiet,
            )
            @given(strategy)
            def draw(value):
                if time.perf_counter() >= state["deadline"]:
                    raise Done
                state["values"] += 1
                state["bytes"] += len(json.dumps(value))

            try:
                draw()
            except Done:
                pass
            except Exception:
                # Hypothesis may wrap Done when it replays the failing example; past the
                # deadline that is still the end of the run, before it a real error.
                if time.perf_counter() < state["deadline"]:
                    raise

        # Warm up (strategy resolution, caches), not timed.
        run(3, {"values": 0, "bytes": 0, "deadline": float("inf")})
        start = time.perf_counter()
        state = {"values": 0, "bytes": 0, "deadline": start + budget}
        # One @given run for the whole budget; it ends with Done (or, unlikely, when
        # Hypothesis has drawn max_examples values: then the next run goes on).
        while time.perf_counter() < state["deadline"]:
            run(1_000_000, state)
        seconds = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "values": state["values"],
                    "seconds": seconds,
                    "mean_bytes": state["bytes"] // max(state["values"], 1),
                    "hypothesis": hypothesis.__version__,
                    "hypothesis_jsonschema": version("hypothesis-jsonschema"),
                    "python": sys.version.split()[0],
                }
            )
        )
        return 0
    except BaseException as error:  # reported as a row, never a traceback
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
