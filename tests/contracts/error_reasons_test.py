#!/usr/bin/env python3
"""Every error reason the code uses is documented, and every documented reason is used.

A reason is the UPPER_SNAKE string passed to the helpers of common/status/status.h (Error, InvalidArgument,
NotFound, FailedPrecondition, AlreadyExists, Aborted, Unavailable, Internal), or to a file's own wrapper of
them: a function returning absl::Status with a parameter named `reason` that it passes on (the gateway's
QueryError, identity.cc's Denied), found by this script and followed within its file. This scans common/ and services/ (not tests) for those calls and compares them with the reason table of
docs/api.md, which zt-api-doc generates from services/gateway/error_reasons.cc (api_doc_up_to_date checks that
the file is current). It fails when
  - the code uses a reason the table lacks (a new reason would ship undocumented),
  - the code raises a reason with a status the table does not give it,
  - the table lists a reason no code uses any more,
  - a call passes a reason that is not a string literal, outside the few known pass-through sites below.

  error_reasons_test.py [REPO]      check (REPO defaults to this checkout)
  error_reasons_test.py --selftest  a made-up tree with an undocumented reason must fail
"""
import os
import re
import shutil
import sys
import tempfile

# The helpers of common/status/status.h: the index of the reason argument and the status they give (None: the
# first argument says).
STATUS_HELPERS = {
    "Error": (1, None), "InvalidArgument": (1, "INVALID_ARGUMENT"), "NotFound": (0, "NOT_FOUND"),
    "FailedPrecondition": (0, "FAILED_PRECONDITION"), "AlreadyExists": (0, "ALREADY_EXISTS"),
    "Aborted": (0, "ABORTED"), "Unavailable": (0, "UNAVAILABLE"), "Internal": (0, "INTERNAL"),
}
# A function returning a status with a parameter named reason: a candidate wrapper.
WRAPPER_DEFINITION = re.compile(r"absl::Status(?:Or<[^;{}()]*>)?\s+(\w+)\s*\(([^()]*)\)\s*(?:const\s*)?\{")
# Calls whose reason is not a literal on purpose: (file, helper, argument) -> why.
PASS_THROUGH = {
    ("common/status/grpc_status.cc", "Error", "reason"): "a callee's reason from its gRPC trailers",
    ("services/gateway/authentication.cc", "Error", "reason"): "TOKEN_EXPIRED or TOKEN_INVALID, both literals there",
    ("services/gateway/errors.cc", "Error", "absl::StatusCodeToString(status.code())"):
        "no reason from the upstream: the status name (docs/api.md says so)",
    ("services/order/domain/orders.cc", "Error", "current.failure_reason"): "a replay of a recorded failure",
    ("services/order/domain/orders.cc", "Aborted", "current.failure_reason"):
        "a replay of a placement that failed for a passing reason: its recorded reason, now definite (ABORTED)",
}
DECLARATION = re.compile(r"^[\w:<>&*\s]+\s[&*]?\w+(\s*=.*)?$")  # "absl::string_view reason", "Fields fields = {}"
TABLE_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| [^|]+ \| ([^|]+) \|")


def strip_comments(src):
    """Blanks // and /* */ comments (keeping line numbers); leaves string literals alone."""
    out, i, n = [], 0, len(src)
    while i < n:
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif src[i] in "\"'":
            j = i + 1
            while j < n and src[j] != src[i]:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(src[i])
            i += 1
    return "".join(out)


def call_arguments(src, open_paren):
    """The top-level arguments of the call whose '(' is at open_paren."""
    depth, args, current, i = 0, [], [], open_paren
    while i < len(src):
        c = src[i]
        if c in "\"'":
            j = i + 1
            while j < len(src) and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            current.append(src[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(current).strip())
                return args
        elif c == "," and depth == 1:
            args.append("".join(current).strip())
            current = []
            i += 1
            continue
        current.append(c)
        i += 1
    return args


def code_name(expression):
    """INVALID_ARGUMENT for absl::StatusCode::kInvalidArgument; None when not a literal code."""
    m = re.fullmatch(r"(?:absl::StatusCode::)?k([A-Z]\w*)", expression)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", m.group(1)).upper() if m else None


def helpers_regex(names):
    return re.compile(r"(?<![\w.>:])(?:zhongtai::|server::)?(" + "|".join(sorted(names)) + r")\s*\(")


def matching_brace(src, open_brace):
    depth = 0
    for i in range(open_brace, len(src)):
        if src[i] == "{":
            depth += 1
        elif src[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(src)


def file_wrappers(src):
    """{name: (reason index, status or None, (body start, body end))} for this file's own wrappers: functions
    returning a status whose parameter `reason` goes on to a status helper."""
    wrappers = {}
    known = helpers_regex(STATUS_HELPERS)
    for m in WRAPPER_DEFINITION.finditer(src):
        name, params = m.group(1), [p.strip() for p in m.group(2).split(",")]
        names = [re.sub(r"\s*=.*$", "", p).split()[-1].lstrip("&*") if p else "" for p in params]
        if "reason" not in names:
            continue
        body = (m.end() - 1, matching_brace(src, m.end() - 1))
        for call in known.finditer(src, body[0], body[1]):
            index, code = STATUS_HELPERS[call.group(1)]
            args = call_arguments(src, call.end() - 1)
            if index < len(args) and args[index] == "reason":
                if code is None and args:
                    code = code_name(args[0])
                wrappers[name] = (names.index("reason"), code, body)
                break
    return wrappers


def scan(repo):
    """({reason: {(code or None, file:line)}}, [problems])"""
    used, problems = {}, []
    for top in ("common", "services"):
        for folder, dirs, files in os.walk(os.path.join(repo, top)):
            dirs[:] = sorted(d for d in dirs if d not in ("tests", "testing"))
            for name in sorted(files):
                if not name.endswith((".cc", ".h")) or name.endswith("_test.cc"):
                    continue
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, repo)
                with open(path, encoding="utf-8") as f:
                    src = strip_comments(f.read())
                wrappers = file_wrappers(src)
                helpers = {n: (i, c) for n, (i, c) in STATUS_HELPERS.items()}
                helpers.update({n: (i, c) for n, (i, c, _) in wrappers.items()})
                for m in helpers_regex(helpers).finditer(src):
                    helper = m.group(1)
                    args = call_arguments(src, m.end() - 1)
                    index, code = helpers[helper]
                    if index >= len(args):
                        continue
                    arg = args[index]
                    where = f"{rel}:{src.count(chr(10), 0, m.start()) + 1}"
                    literal = re.fullmatch(r'"([A-Z][A-Z0-9_]*)"', arg)
                    if literal:
                        if code is None and helper == "Error":
                            code = code_name(args[0])
                        used.setdefault(literal.group(1), set()).add((code, where))
                    elif arg.startswith('"'):
                        problems.append(f"{where}: {helper}() gets reason {arg}, which is not UPPER_SNAKE")
                    elif DECLARATION.match(arg) or (rel, helper, arg) in PASS_THROUGH:
                        continue
                    elif arg == "reason" and any(b[0] < m.start() < b[1] for _, _, b in wrappers.values()):
                        continue  # a wrapper passing its own parameter on; its callers are checked
                    else:
                        problems.append(
                            f"{where}: {helper}() gets the reason {arg!r}, not a string literal, so this test cannot "
                            f"see which reasons it stands for: pass a literal, or add the site to PASS_THROUGH in "
                            f"{os.path.relpath(__file__, repo)} saying which documented reasons it carries")
    return used, problems


def documented(repo):
    """{reason: set of gRPC status names} from the reason table of docs/api.md."""
    table, in_reasons = {}, False
    with open(os.path.join(repo, "docs", "api.md"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                in_reasons = line.strip() == "### Reasons"
                continue
            m = TABLE_ROW.match(line) if in_reasons else None
            if m:
                table[m.group(1)] = {s.strip() for s in m.group(2).split(",")}
    return table


def check(repo):
    used, problems = scan(repo)
    table = documented(repo)
    if not table:
        problems.append("docs/api.md has no reason table under '### Reasons'")
    fix = ("add it to services/gateway/error_reasons.cc (status, who raises it, what a client should do), then "
           "regenerate docs/api.md: build/services/gateway/zt-api-doc --markdown docs/api.md")
    for reason in sorted(used):
        sites = sorted(used[reason], key=lambda s: s[1])
        if reason not in table:
            problems.append(f"reason {reason} (used at {sites[0][1]}) is not documented: {fix}")
            continue
        for code, where in sites:
            if code is not None and code not in table[reason]:
                problems.append(f"{where}: {reason} is raised as {code}, but docs/api.md gives it "
                                f"{', '.join(sorted(table[reason]))}: {fix}")
    for reason in sorted(set(table) - set(used)):
        problems.append(f"reason {reason} is documented but no code in common/ or services/ uses it: remove it "
                        f"from services/gateway/error_reasons.cc and regenerate docs/api.md")
    return used, table, problems


def selftest():
    scratch = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(scratch, "services", "x", "tests"))
        os.makedirs(os.path.join(scratch, "docs"))
        with open(os.path.join(scratch, "services", "x", "x.cc"), "w") as f:
            f.write('// NotFound("IN_A_COMMENT", "no")\n'
                    'absl::Status A() { return NotFound("KNOWN", "a"); }\n'
                    'absl::Status B() { return Error(absl::StatusCode::kAborted, "NEW_ONE", "b", "f"); }\n'
                    'absl::Status C() { return InvalidArgument("field", "KNOWN", "raised with another code"); }\n'
                    'absl::Status D(std::string r) { return Aborted(r, "d"); }\n'
                    'void E() { log::Error("LOGGED_NOT_A_REASON", {}); }\n'
                    'absl::Status Denied(absl::string_view reason, absl::string_view message) {\n'
                    '  return Error(absl::StatusCode::kPermissionDenied, reason, message);\n}\n'
                    'absl::Status F() { return Denied("VIA_WRAPPER", "f"); }\n')
        with open(os.path.join(scratch, "services", "x", "tests", "x_test.cc"), "w") as f:
            f.write('auto s = NotFound("ONLY_IN_TESTS", "t");\n')
        with open(os.path.join(scratch, "docs", "api.md"), "w") as f:
            f.write("### Reasons\n\n| reason | HTTP | gRPC status | from | what |\n|---|---|---|---|---|\n"
                    "| `KNOWN` | 404 | NOT_FOUND | x | fix it |\n| `STALE` | 500 | INTERNAL | x | nothing |\n")
        used, _, problems = check(scratch)
        text = "\n".join(problems)
        expected = ["NEW_ONE", "raised as INVALID_ARGUMENT", "STALE", "not a string literal", "VIA_WRAPPER"]
        missing = [e for e in expected if e not in text]
        unexpected = [u for u in ("IN_A_COMMENT", "ONLY_IN_TESTS", "LOGGED_NOT_A_REASON") if u in used]
        if (missing or unexpected or used.get("NEW_ONE") != {("ABORTED", "services/x/x.cc:3")} or
                used.get("VIA_WRAPPER") != {("PERMISSION_DENIED", "services/x/x.cc:10")}):
            print(f"FAIL selftest: missing {missing}, unexpected {unexpected}, found:\n{text}\n{used}")
            return 1
        print("selftest: 1 passed, 0 failed")
        return 0
    finally:
        shutil.rmtree(scratch)


def main():
    if sys.argv[1:] == ["--selftest"]:
        return selftest()
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
    used, table, problems = check(repo)
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        return 1
    print(f"{len(used)} reasons used in the code, all documented in docs/api.md ({len(table)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
