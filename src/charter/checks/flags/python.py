"""Python flags via `ast`: argparse `add_argument` and click `option`, constants resolved."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from charter.checks.flags.model import (
    Flag,
    FlagSyntaxError,
    FlagValue,
    Unresolved,
    why_experimental,
)

_SIMPLE = (bool, int, float, str, type(None))
_TYPE_KINDS = {"int": "int", "float": "float", "str": "string", "bool": "bool",
               "BOOL": "bool", "INT": "int", "FLOAT": "float", "STRING": "string"}


class _Consts:
    """Module-level names bound exactly once by a plain assignment, evaluated on demand."""

    def __init__(self, tree: ast.Module, nodes: list[ast.AST]) -> None:
        self.exprs: dict[str, ast.expr] = {}
        counts: dict[str, int] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                    stmt.targets[0], ast.Name):
                self.exprs[stmt.targets[0].id] = stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and \
                    stmt.value is not None:
                self.exprs[stmt.target.id] = stmt.value
        # Any other binding of the name anywhere (a second assignment, an import, a loop, a
        # `global` rebinding in a function) makes its value depend on the run: not resolvable.
        for node in nodes:
            names: list[str] = []
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                names = [node.id]
            elif isinstance(node, ast.Global):
                names = list(node.names)
            elif isinstance(node, ast.alias):
                names = [(node.asname or node.name).split(".")[0]]
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = [node.name]
            for name in names:
                counts[name] = counts.get(name, 0) + (2 if isinstance(node, ast.Global) else 1)
        for name in list(self.exprs):
            if counts.get(name, 0) != 1:
                del self.exprs[name]
        self._busy: set[str] = set()

    def value(self, name: str) -> FlagValue:
        if name not in self.exprs or name in self._busy:
            raise Unresolved(name)
        self._busy.add(name)
        try:
            return self.eval(self.exprs[name])
        finally:
            self._busy.discard(name)

    def eval(self, node: ast.expr) -> FlagValue:
        """The value of a constant expression, or Unresolved."""
        if isinstance(node, ast.Constant) and isinstance(node.value, _SIMPLE):
            return node.value
        if isinstance(node, ast.Name):
            return self.value(node.id)
        if isinstance(node, ast.Tuple | ast.List):
            return tuple(self.eval(e) for e in node.elts)
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand)
            if isinstance(node.op, ast.Not):
                return not v
            if isinstance(v, int | float) and isinstance(node.op, ast.USub | ast.UAdd):
                return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
            a, b = self.eval(node.left), self.eval(node.right)
            if isinstance(node.op, ast.Add) and isinstance(a, str) and isinstance(b, str):
                return a + b
            if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(
                    a, bool) and not isinstance(b, bool):
                return a + b if isinstance(node.op, ast.Add) else (
                    a - b if isinstance(node.op, ast.Sub) else a * b)
        if isinstance(node, ast.JoinedStr):
            out = ""
            for part in node.values:
                if isinstance(part, ast.Constant):
                    out += str(part.value)
                elif isinstance(part, ast.FormattedValue) and part.format_spec is None and \
                        part.conversion == -1:
                    out += str(self.eval(part.value))
                else:
                    raise Unresolved(ast.unparse(part))
            return out
        raise Unresolved(ast.unparse(node))


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _click_names(nodes: list[ast.AST]) -> set[str]:
    """The names under which click's `option` is called in this module."""
    names = {"click.option"}
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {f"{a.asname}.option" for a in node.names if a.name == "click" and a.asname}
        elif isinstance(node, ast.ImportFrom) and node.module == "click":
            names |= {a.asname or a.name for a in node.names if a.name == "option"}
    return names


def _groups(nodes: list[ast.AST], consts: _Consts) -> dict[str, str]:
    """Argument groups by the variable they are bound to, with their titles."""
    groups: dict[str, str] = {}
    for node in nodes:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)):
            continue
        target = _dotted(node.targets[0])
        call = node.value
        func = call.func
        assert isinstance(func, ast.Attribute)
        if target is None:
            continue
        if func.attr == "add_argument_group":
            title_node = call.args[0] if call.args else next(
                (k.value for k in call.keywords if k.arg == "title"), None)
            try:
                title = consts.eval(title_node) if title_node is not None else None
            except Unresolved:
                title = None
            if isinstance(title, str):
                groups[target] = title
        elif func.attr == "add_mutually_exclusive_group":
            parent = _dotted(func.value)
            if parent in groups:  # an exclusive group inside a titled group shares its title
                groups[target] = groups[parent]
    return groups


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _eval_or(consts: _Consts, node: ast.expr | None,
             fallback: FlagValue) -> tuple[FlagValue, bool]:
    """The value and whether it is known; FALLBACK (known) when the argument is absent."""
    if node is None:
        return fallback, True
    try:
        return consts.eval(node), True
    except Unresolved:
        return None, False


def _text(consts: _Consts, node: ast.expr | None) -> str | None:
    value, known = _eval_or(consts, node, None)
    return value if known and isinstance(value, str) else None


def _pick_name(consts: _Consts, args: list[ast.expr],
               split_pairs: bool) -> tuple[str, bool, bool] | None:
    """The flag's long name, whether it is known, and whether it is an --x/--no-x pair."""
    names: list[str] = []
    unknown: list[str] = []
    pair = False
    for arg in args:
        try:
            value = consts.eval(arg)
        except Unresolved:
            unknown.append(ast.unparse(arg))
            continue
        if not isinstance(value, str):
            continue
        if split_pairs and "/" in value and not value.startswith("/"):
            value = value.split("/", 1)[0].strip()
            pair = True
        if value.startswith("-"):
            names.append(value)
    if names:
        long = [n for n in names if n.startswith("--")]
        return (long or names)[0], True, pair
    if unknown:
        return unknown[0], False, pair
    return None  # a positional argument, not a flag


@dataclass(slots=True)
class _Found:
    name: str
    name_known: bool
    kind: str
    default: FlagValue
    default_known: bool
    help: str | None
    how: str
    group: str | None = None


def _argparse(consts: _Consts, call: ast.Call, groups: dict[str, str]) -> _Found | None:
    picked = _pick_name(consts, list(call.args), split_pairs=False)
    if picked is None:
        return None
    name, name_known, _ = picked
    spread = any(k.arg is None for k in call.keywords)  # **kwargs: anything may be in there
    action_node = _kw(call, "action")
    action: object = None
    if action_node is not None:
        dotted = _dotted(action_node)
        if dotted and dotted.rsplit(".", 1)[-1] == "BooleanOptionalAction":
            action = "BooleanOptionalAction"
        else:
            action, _ = _eval_or(consts, action_node, None)
            action = action if isinstance(action, str) else "custom"
    implied: FlagValue = None
    kind = "string"
    if action == "store_true":
        kind, implied = "bool", False
    elif action == "store_false":
        kind, implied = "bool", True
    elif action == "BooleanOptionalAction":
        kind = "bool"
    elif action == "store_const":
        const, known = _eval_or(consts, _kw(call, "const"), None)
        kind = "bool" if known and isinstance(const, bool) else "const"
    elif action == "count":
        kind = "int"
    elif action in ("append", "extend"):
        kind = "list"
    elif action is not None:
        kind = "custom"
    else:
        type_node = _kw(call, "type")
        tname = _dotted(type_node) if type_node is not None else None
        if tname is not None:
            kind = _TYPE_KINDS.get(tname.rsplit(".", 1)[-1], tname)
    default_node = _kw(call, "default")
    default, known = _eval_or(consts, default_node, implied)
    if default_node is None and spread:
        default, known = None, False
    receiver = _dotted(call.func.value) if isinstance(call.func, ast.Attribute) else None
    how = "argparse add_argument" + (f"(action={action!r})" if isinstance(action, str) and
                                     action != "custom" else "")
    return _Found(name, name_known, kind, default, known, _text(consts, _kw(call, "help")), how,
                  groups.get(receiver or ""))


def _click(consts: _Consts, call: ast.Call) -> _Found | None:
    picked = _pick_name(consts, list(call.args), split_pairs=True)
    if picked is None:
        return None
    name, name_known, pair = picked
    is_flag, _ = _eval_or(consts, _kw(call, "is_flag"), False)
    type_node = _kw(call, "type")
    tname = _dotted(type_node) if type_node is not None else None
    boolean = pair or is_flag is True
    kind = "bool" if boolean else _TYPE_KINDS.get((tname or "str").rsplit(".", 1)[-1], "string")
    default_node = _kw(call, "default")
    default, known = _eval_or(consts, default_node, False if boolean else None)
    if default_node is None and any(k.arg is None for k in call.keywords):
        default, known = None, False
    how = "click.option" + (" (--x/--no-x pair)" if pair else
                            " (is_flag=True)" if is_flag is True else "")
    return _Found(name, name_known, kind, default, known, _text(consts, _kw(call, "help")), how)


def find_python_flags(path: str, text: str, marker: str = "experimental") -> list[Flag]:
    """argparse and click flags defined in one Python file; raises FlagSyntaxError."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as err:
        raise FlagSyntaxError(f"Python syntax error: {err.msg}; its flags were not checked",
                              file=path, line=err.lineno) from err
    except (ValueError, RecursionError, MemoryError) as err:  # NUL bytes, absurd nesting
        raise FlagSyntaxError(f"cannot parse as Python ({type(err).__name__}); its flags were "
                              "not checked", file=path) from err
    nodes = list(ast.walk(tree))  # one walk, shared by every pass below
    consts = _Consts(tree, nodes)
    groups = _groups(nodes, consts)
    clicks = _click_names(nodes)
    flags: list[Flag] = []
    for call in nodes:
        if not isinstance(call, ast.Call):
            continue
        func = _dotted(call.func)
        found: _Found | None
        if isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument":
            found = _argparse(consts, call, groups)
        elif func in clicks:
            found = _click(consts, call)
        else:
            continue
        if found is None:
            continue
        why = why_experimental(name=found.name, marker=marker, help=found.help, path=path,
                               group=found.group)
        flags.append(Flag(found.name, found.default, found.kind, path, call.lineno,
                          why is not None, found.how, found.default_known, found.name_known,
                          found.help, why))
    flags.sort(key=lambda f: f.line)
    return flags
