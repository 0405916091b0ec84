"""Values per second that hypothesis-jsonschema draws from one JSON Schema.

Written by `cargo xtask bench --peers` into its peers folder and run with the venv's Python:

    python hypothesis_gen.py SCHEMA.json SECONDS

Draws values of the schema (and serialises each with json.dumps, as our generator's row
does) until SECONDS have passed, then prints one JSON line: the values drawn, the seconds
taken, the mean serialised size and the versions used. Any failure is printed as one JSON
line with an "error" field, and the exit status is 1.
"""

import json
import sys
import time


def main():
    try:
        import hypothesis
        import hypothesis_jsonschema
        from hypothesis import HealthCheck, Phase, given, settings
        from importlib.metadata import version

        with open(sys.argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        budget = float(sys.argv[2])
        strategy = hypothesis_jsonschema.from_schema(schema)
        state = {"values": 0, "bytes": 0}

        # Hypothesis runs a @given test for at most max_examples values; run batches of
        # them until the budget is spent. Generate phase only: no database, no shrinking,
        # no deadline, no health checks, so only drawing (and json.dumps) is timed.
        @settings(
            max_examples=500,
            phases=[Phase.generate],
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=False,
        )
        @given(strategy)
        def draw(value):
            state["values"] += 1
            state["bytes"] += len(json.dumps(value))

        draw()  # warm up: strategy resolution and caches, not timed
        state["values"] = state["bytes"] = 0
        start = time.perf_counter()
        while time.perf_counter() - start < budget:
            draw()
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
    except Exception as error:  # noqa: BLE001 - reported, not raised
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
