"""The environment variables Posko's code reads, found by parsing the code (not by importing it), and the names
.env.example and docker-compose.yml give. Shared by the configuration tests in tests/ops/."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# The project and its apps: wherever a setting could be read.
CODE_DIRS = ["posko", "accounts", "casefiles", "complaints", "evidence", "exports", "stats"]
# The typed readers of posko/env.py and posko/keys.py: their first argument is the variable's name.
READERS = {"env_str", "env_bool", "env_int", "env_list", "proxy_networks", "key_ring"}
# Read by the code but not a setting of a deployment, with the reason.
NOT_SETTINGS = {
    "PYTEST_XDIST_WORKER": "set by pytest-xdist in test processes (each one's namespace)",
}
# The readers themselves pass their `name` argument on.
PASSTHROUGH = {"posko/env.py", "posko/keys.py"}
# f-string names are formatted over the worker kinds (POSKO_{kind.upper()}_CONCURRENCY ...).
WORKER_KINDS = ["QUICK", "HEAVY", "SWEEP"]


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "literal"` assignments: a variable's name kept in a constant."""
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _names_of(node: ast.expr, path: Path, constants: dict[str, str]) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.JoinedStr):
        # Only the one shape the settings use; anything else must be taught here rather than pass unseen.
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(v.value)
            elif isinstance(v, ast.FormattedValue) and ast.unparse(v.value) == "kind.upper()":
                parts.append("{}")
            else:
                parts.append(None)
        if None in parts:
            raise AssertionError(f"{path}: cannot tell which names {ast.unparse(node)} reads")
        return ["".join(parts).format(kind) for kind in WORKER_KINDS]
    raise AssertionError(
        f"{path}:{node.lineno}: an environment name that is not a literal: {ast.unparse(node)}"
    )


def code_env_names() -> dict[str, str]:
    """Every environment variable name the code reads, with where (file:line) it is first read."""
    found: dict[str, str] = {}
    files = [p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts]
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = _constants(tree)
        for node in ast.walk(tree):
            arg = None
            if isinstance(node, ast.Call) and node.args:
                target = ast.unparse(node.func)
                name = target.rpartition(".")[2]
                if name in READERS or target in ("os.environ.get", "os.getenv", "environ.get"):
                    arg = node.args[0]
            elif (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.ctx, ast.Load)
            ):
                arg = node.slice
            if arg is None:
                continue
            if isinstance(arg, ast.Name) and path.relative_to(ROOT).as_posix() in PASSTHROUGH:
                continue
            for env_name in _names_of(arg, path, constants):
                found.setdefault(env_name, f"{path.relative_to(ROOT)}:{node.lineno}")
    return {k: v for k, v in found.items() if k not in NOT_SETTINGS}


def env_example_names() -> dict[str, str]:
    """Names in .env.example, set or commented out (`NAME=` or `# NAME=`), with the comment block above each."""
    names: dict[str, str] = {}
    comment: list[str] = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        m = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if m:
            names.setdefault(m.group(1), " ".join(comment))
            continue
        comment = [*comment, line.lstrip("# ")] if line.startswith("#") else []
    return names
