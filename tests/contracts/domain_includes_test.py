#!/usr/bin/env python3
"""The domain layer stays plain C++: no file under services/*/domain/ includes gRPC, protobuf, libpqxx or hiredis,
nor a generated *.pb.h, directly or through a project header it includes ("common/...", "services/...").
cmake/zt_service.cmake checks the same of what the domain libraries link; this catches a header-only include.

Usage: domain_includes_test.py [ROOT]     scan ROOT (default: this repository); exit 1 listing each violation
       domain_includes_test.py selftest   a temporary tree with bad includes must fail and a clean one pass
"""
import os
import re
import sys
import tempfile

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
# An included path is forbidden when it matches one of these.
FORBIDDEN = [
    re.compile(r"^grpc(pp|\+\+)?/"),
    re.compile(r"^(google/protobuf|protobuf)/"),
    re.compile(r"^pqxx(/|$)"),
    re.compile(r"^hiredis(/|$)"),
    re.compile(r"\.pb\.h$"),
]
SOURCE = (".h", ".hh", ".hpp", ".cc", ".cpp", ".inc")


def includes(path):
    """The paths included by one file, without the comments' text."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return [m.group(2).strip() for m in INCLUDE.finditer(text)]


def domain_files(root):
    services = os.path.join(root, "services")
    if not os.path.isdir(services):
        return []
    found = []
    for service in sorted(os.listdir(services)):
        domain = os.path.join(services, service, "domain")
        for folder, _, names in os.walk(domain):
            found += [os.path.join(folder, n) for n in sorted(names) if n.endswith(SOURCE)]
    return found


def violations(root):
    """One line per forbidden include reached from a domain file, with the chain of project headers to it."""
    problems = []
    for start in domain_files(root):
        seen = set()
        stack = [(start, [os.path.relpath(start, root)])]
        while stack:
            path, chain = stack.pop()
            if path in seen:
                continue
            seen.add(path)
            for inc in includes(path):
                if any(p.search(inc) for p in FORBIDDEN):
                    problems.append("%s includes %s" % (" -> ".join(chain), inc))
                    continue
                header = os.path.join(root, inc)
                if os.path.isfile(header):  # a project header: follow it
                    stack.append((header, chain + [inc]))
    return problems


def selftest():
    problems = []
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)

        write("common/plain/plain.h", "#pragma once\n#include <string>\n#include \"absl/status/status.h\"\n")
        write("services/shop/domain/clean.h", "#include \"common/plain/plain.h\"\n// #include <grpcpp/grpcpp.h>\n"
              "/* #include <pqxx/pqxx> */\n#include <vector>\n")
        if violations(root):
            problems.append("selftest: a clean domain was reported: %s" % violations(root))
        bad = {
            "direct grpcpp": "#include <grpcpp/grpcpp.h>\n",
            "grpc core": "#include <grpc/grpc.h>\n",
            "protobuf": "#include \"google/protobuf/timestamp.pb.h\"\n",
            "pqxx": "#include <pqxx/pqxx>\n",
            "hiredis": "# include <hiredis/hiredis.h>\n",
            "generated message": "#include \"zhongtai/order/v1/order.pb.h\"\n",
            "through a project header": "#include \"common/leaky/leaky.h\"\n",
        }
        write("common/leaky/leaky.h", "#pragma once\n#include \"common/plain/plain.h\"\n#include <pqxx/pqxx>\n")
        for what, text in bad.items():
            write("services/shop/domain/bad.cc", text)
            found = violations(root)
            if not found:
                problems.append("selftest: did not notice a domain file with %s" % what)
            else:
                print("caught %s: %s" % (what, found[0]))
        os.remove(os.path.join(root, "services/shop/domain/bad.cc"))
    return problems


def main(argv):
    if argv[1:2] == ["selftest"]:
        problems = selftest()
    else:
        root = argv[1] if len(argv) > 1 else REPO
        if not domain_files(root):
            problems = ["no services/*/domain/ files under %s: nothing was checked" % root]
        else:
            problems = violations(root)
            if not problems:
                print("%d domain files include no gRPC, protobuf, pqxx or hiredis" % len(domain_files(root)))
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
