"""Validates generated values with Python's `jsonschema`, formats checked.

Reads JSON lines from the file named by argv[1]: {"file", "description", "draft", "schema",
"values"}; validates every value against its schema under the draft's validator with its
format checker; prints each value that does not validate and exits 1 if any.
"""

import json
import sys

import jsonschema

VALIDATORS = {
    "draft4": jsonschema.Draft4Validator,
    "draft7": jsonschema.Draft7Validator,
}


def main(path):
    failures = 0
    checked = 0
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            case = json.loads(line)
            cls = VALIDATORS[case["draft"]]
            validator = cls(case["schema"], format_checker=cls.FORMAT_CHECKER)
            for value in case["values"]:
                checked += 1
                errors = list(validator.iter_errors(value))
                if errors:
                    failures += 1
                    print(
                        f"{case['file']} `{case['description']}`: {json.dumps(value)[:300]}"
                        f" does not validate: {errors[0].message[:300]}"
                    )
    print(f"python jsonschema {jsonschema_version()}: {checked} values checked, {failures} invalid")
    return 1 if failures else 0


def jsonschema_version():
    from importlib.metadata import version

    return version("jsonschema")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
