"""Go flags by lexical parsing: flag, pflag and cobra flag sets, and feature-gate maps.

Constants come from `const` declarations (with `iota` and implicit repetition) and simple
`var x = ...` declarations of the file, or of its whole package folder when given a scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from charter.checks.flags.model import Flag, FlagValue, Unresolved, why_experimental

_TOKEN = re.compile(r"""
    (?P<nl>\n)
  | (?P<ws>[ \t\r\f]+)
  | (?P<lc>//[^\n]*)
  | (?P<bc>/\*.*?\*/)
  | (?P<raw>`[^`]*`)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\.)+')
  | (?P<num>0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?\d+)?i?
           |0[bB][01_]+i?|0[oO][0-7_]+i?
           |(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?i?)
  | (?P<id>[^\W\d]\w*)
  | (?P<op>\.\.\.|<<=|>>=|&\^=|&&|\|\||<-|\+\+|--|==|!=|<=|>=|:=|\+=|-=|\*=|/=|%=|&=|\|=|\^=
           |<<|>>|&\^|.)
""", re.VERBOSE | re.DOTALL)

_KEYWORDS = frozenset((
    "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
    "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
    "return", "select", "struct", "switch", "type", "var"))
_ENDS_STATEMENT = frozenset(("break", "continue", "fallthrough", "return", "++", "--", ")", "]",
                             "}"))


@dataclass(frozen=True, slots=True)
class Tok:
    """A Go token: kind (id, num, str, char, op, ;), its source text and 1-based line."""

    kind: str
    text: str
    line: int


def tokenize(text: str) -> list[Tok]:
    """Go tokens with the semicolons Go's grammar inserts at line ends."""
    toks: list[Tok] = []
    line = 1

    def newline() -> None:
        last = toks[-1] if toks else None
        if last is not None and ((last.kind in ("id", "num", "str", "char") and
                                  last.text not in _KEYWORDS) or last.text in _ENDS_STATEMENT):
            toks.append(Tok(";", ";", line))

    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "op"
        value = m.group()
        if kind == "nl":
            newline()
            line += 1
        elif kind == "bc" and "\n" in value:
            newline()
            line += value.count("\n")
        elif kind in ("ws", "lc", "bc"):
            pass
        else:
            toks.append(Tok("str" if kind == "raw" else kind, value, line))
            line += value.count("\n")
    newline()
    return toks


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", "'": "'", '"': '"'}


def unquote(lit: str) -> str:
    """The value of a Go string literal (interpreted or raw)."""
    if lit.startswith("`"):
        return lit[1:-1].replace("\r", "")

    def esc(m: re.Match[str]) -> str:
        s = m.group(1)
        if s[0] in _ESCAPES:
            return _ESCAPES[s[0]]
        if s[0] in "xuU":
            return chr(int(s[1:], 16))
        return chr(int(s, 8))

    return re.sub(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", esc,
                  lit[1:-1])


class Duration(int):
    """A time.Duration in nanoseconds, shown as Go shows it."""

    def go(self) -> str:
        """Go's `Duration.String()` for whole units: 1h30m0s, 1.5s, 500ms."""
        ns = int(self)
        if ns == 0:
            return "0s"
        sign, ns = ("-", -ns) if ns < 0 else ("", ns)
        if ns < 1_000_000_000:
            for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
                if ns >= size:
                    return sign + _trim(ns / size) + unit
        h, rest = divmod(ns, 3_600_000_000_000)
        m, rest = divmod(rest, 60_000_000_000)
        s = _trim(rest / 1_000_000_000) + "s"
        if h:
            return f"{sign}{h}h{m}m{s}"
        return f"{sign}{m}m{s}" if m else sign + s


def _trim(x: float) -> str:
    return f"{x:.9f}".rstrip("0").rstrip(".")


_UNITS = {"Nanosecond": 1, "Microsecond": 1_000, "Millisecond": 1_000_000,
          "Second": 1_000_000_000, "Minute": 60_000_000_000, "Hour": 3_600_000_000_000}
_BASIC_TYPES = frozenset((
    "bool", "string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
    "uint32", "uint64", "uintptr", "float32", "float64", "byte", "rune"))


@dataclass(frozen=True, slots=True)
class Binding:
    """A package-level constant or variable: its expression and, in a const block, its iota."""

    expr: tuple[Tok, ...]
    iota: int | None
    path: str


@dataclass(slots=True)
class GoFile:
    """What one Go file declares at package level."""

    path: str
    tokens: list[Tok]
    package: str | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)
    shadowed: set[str] = field(default_factory=set)
    declared: set[int] = field(default_factory=set)  # id() of the tokens naming declarations


def _matching(toks: Sequence[Tok], i: int) -> int:
    """Index of the bracket closing the one at I (or len(toks) when unbalanced)."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j].text
        if toks[j].kind == "op" and t in "([{":
            depth += 1
        elif toks[j].kind == "op" and t in ")]}":
            depth -= 1
            if depth == 0:
                return j
    return len(toks)


def _split(toks: Sequence[Tok], sep: str) -> list[list[Tok]]:
    """TOKS split at SEP outside brackets."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.kind == "op" and t.text in "([{":
            depth += 1
        elif t.kind == "op" and t.text in ")]}":
            depth -= 1
        if depth == 0 and t.text == sep and t.kind in ("op", ";"):
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def parse_file(path: str, text: str) -> GoFile:
    """Tokenize a Go file and collect its package name, constants, variables and types."""
    toks = tokenize(text)
    gf = GoFile(path, toks)
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "op" and t.text in "([{":
            i = _matching(toks, i) + 1  # only package-level declarations bind constants
            continue
        if t.kind == "id" and t.text == "package" and i + 1 < len(toks):
            gf.package = toks[i + 1].text
        elif t.kind == "id" and t.text in ("const", "var", "type") and i + 1 < len(toks):
            if toks[i + 1].text == "(":
                end = _matching(toks, i + 1)
                specs = [s for s in _split(toks[i + 2:end], ";") if s]
            else:
                end = next((j for j in range(i + 1, len(toks)) if toks[j].kind == ";"
                            and _balanced(toks[i + 1:j])), len(toks))
                specs = [list(toks[i + 1:end])]
            _declare(gf, t.text, specs)
            i = end + 1
            continue
        i += 1
    _drop_reassigned(gf)
    return gf


def _balanced(toks: Sequence[Tok]) -> bool:
    depth = 0
    for t in toks:
        if t.kind == "op" and t.text in "([{":
            depth += 1
        elif t.kind == "op" and t.text in ")]}":
            depth -= 1
    return depth == 0


def _declare(gf: GoFile, keyword: str, specs: list[list[Tok]]) -> None:
    previous: list[list[Tok]] = []
    for iota, spec in enumerate(specs):
        if keyword == "type":
            if spec and spec[0].kind == "id":
                gf.types.add(spec[0].text)
            continue
        names: list[str] = []
        j = 0
        while j < len(spec) and spec[j].kind == "id":
            names.append(spec[j].text)
            gf.declared.add(id(spec[j]))
            if j + 1 < len(spec) and spec[j + 1].text == ",":
                j += 2
            else:
                break
        eq = next((k for k, t in enumerate(spec) if t.kind == "op" and t.text == "="), None)
        if eq is None and keyword == "const":
            exprs = previous  # implicit repetition of the previous expression list
        elif eq is None:
            continue
        else:
            exprs = _split(spec[eq + 1:], ",")
            previous = exprs
        if len(exprs) != len(names):
            continue  # `var a, b = f()`: a call's results are not known here
        for name, expr in zip(names, exprs, strict=True):
            if name != "_":
                gf.bindings.setdefault(name, []).append(
                    Binding(tuple(expr), iota if keyword == "const" else None, gf.path))


_ASSIGN = frozenset(("=", ":=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>=",
                     "&^=", "++", "--"))


def _drop_reassigned(gf: GoFile) -> None:
    """A package name assigned or shadowed inside a function has no single value: forget it."""
    toks = gf.tokens
    for k in range(len(toks) - 1):
        t = toks[k]
        if t.kind == "id" and t.text in gf.bindings and id(t) not in gf.declared and \
                (k == 0 or toks[k - 1].text != ".") and toks[k + 1].kind == "op" and \
                toks[k + 1].text in _ASSIGN:
            gf.shadowed.add(t.text)


def _same(a: Binding | None, b: Binding) -> bool:
    return a is not None and a.iota == b.iota and [t.text for t in a.expr] == [
        t.text for t in b.expr]


class Scope:
    """Package-level names visible to a file: its own and, given, its package siblings'."""

    def __init__(self, files: Iterable[GoFile]) -> None:
        # None: bound differently in two places (build-tagged files), reassigned or shadowed.
        self.bindings: dict[str, Binding | None] = {}
        self.types: set[str] = set()
        for gf in files:
            self.types |= gf.types
            for name, binds in gf.bindings.items():
                for b in binds:
                    if name not in self.bindings:
                        self.bindings[name] = b
                    elif not _same(self.bindings[name], b):
                        self.bindings[name] = None
            for name in gf.shadowed:
                self.bindings[name] = None
        self._busy: set[str] = set()

    def value(self, name: str) -> FlagValue:
        b = self.bindings.get(name)
        if b is None or name in self._busy:
            raise Unresolved(name)
        self._busy.add(name)
        try:
            return _Expr(list(b.expr), self, b.iota).parse()
        finally:
            self._busy.discard(name)

    def eval(self, toks: Sequence[Tok]) -> FlagValue:
        """The value of an expression, or Unresolved."""
        return _Expr(list(toks), self, None).parse()


def _number(text: str) -> int | float:
    t = text.replace("_", "")
    if t.endswith("i"):
        raise Unresolved(text)
    low = t.lower()
    if low.startswith(("0x", "0b", "0o")) and "." not in low and "p" not in low:
        return int(t, 0)
    if re.fullmatch(r"0[0-7]+", t):
        return int(t, 8)
    if re.fullmatch(r"\d+", t):
        return int(t)
    return float.fromhex(t) if low.startswith("0x") else float(t)


class _Expr:
    """A small precedence-climbing evaluator for Go constant expressions."""

    _PREC: ClassVar[dict[str, int]] = {
        "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "+": 4, "-": 4,
        "|": 4, "^": 4, "*": 5, "/": 5, "%": 5, "<<": 5, ">>": 5, "&": 5, "&^": 5}

    def __init__(self, toks: list[Tok], scope: Scope, iota: int | None) -> None:
        self.toks, self.scope, self.iota, self.i = toks, scope, iota, 0

    def peek(self, k: int = 0) -> Tok | None:
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def parse(self) -> FlagValue:
        if not self.toks:
            raise Unresolved("")
        value = self.binary(1)
        if self.i != len(self.toks):
            raise Unresolved(" ".join(t.text for t in self.toks))
        return value

    def binary(self, prec: int) -> FlagValue:
        left = self.unary()
        while True:
            t = self.peek()
            if t is None or t.kind != "op" or self._PREC.get(t.text, 0) < prec:
                return left
            self.i += 1
            right = self.binary(self._PREC[t.text] + 1)
            left = _apply(t.text, left, right)

    def unary(self) -> FlagValue:
        t = self.peek()
        if t is not None and t.kind == "op" and t.text in ("-", "+", "!", "^"):
            self.i += 1
            v = self.unary()
            if t.text == "!" and isinstance(v, bool):
                return not v
            if t.text in "-+" and isinstance(v, int | float) and not isinstance(v, bool):
                out = -v if t.text == "-" else v
                return Duration(out) if isinstance(v, Duration) else out
            if t.text == "^" and isinstance(v, int) and not isinstance(v, bool):
                return ~v
            raise Unresolved(t.text)
        return self.primary()

    def primary(self) -> FlagValue:
        t = self.peek()
        if t is None:
            raise Unresolved("")
        self.i += 1
        if t.kind == "num":
            return _number(t.text)
        if t.kind == "str":
            return unquote(t.text)
        if t.kind == "char":
            s = unquote('"' + t.text[1:-1].replace('"', '\\"') + '"')
            if len(s) != 1:
                raise Unresolved(t.text)
            return ord(s)
        if t.text == "(":
            v = self.binary(1)
            self._expect(")")
            return v
        if t.text == "[":
            return self.composite()
        if t.kind != "id":
            raise Unresolved(t.text)
        name = t.text
        while (dot := self.peek()) is not None and dot.text == "." and (
                nxt := self.peek(1)) is not None and nxt.kind == "id":
            name += "." + nxt.text
            self.i += 2
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            return self.conversion(name)
        return self.name(name)

    def name(self, name: str) -> FlagValue:
        if name in ("true", "false"):
            return name == "true"
        if name == "nil":
            return None
        if name == "iota" and self.iota is not None:
            return self.iota
        if name.startswith("time.") and name[5:] in _UNITS:
            return Duration(_UNITS[name[5:]])
        if "." in name:
            raise Unresolved(name)  # another package's constant: not read
        return self.scope.value(name)

    def conversion(self, name: str) -> FlagValue:
        last = name.rsplit(".", 1)[-1]
        known = (name in _BASIC_TYPES or name in self.scope.types or name == "time.Duration"
                 or name.endswith(".Feature"))
        if not known:
            raise Unresolved(name + "(...)")  # a function call, not a type conversion
        self.i += 1
        v = self.binary(1)
        self._expect(")")
        if last == "Duration" and isinstance(v, int) and not isinstance(v, bool):
            return Duration(v)
        if name in ("float32", "float64") and isinstance(v, int | float):
            return float(v)
        if name == "string" and isinstance(v, int) and not isinstance(v, bool):
            return chr(v)
        return v

    def composite(self) -> FlagValue:
        # `[]T{a, b}`: a slice literal; the element type does not matter for the value.
        self._expect("]")
        while (t := self.peek()) is not None and t.text != "{":
            self.i += 1
        if self.peek() is None:
            raise Unresolved("[]")
        end = _matching(self.toks, self.i)
        inner = self.toks[self.i + 1:end]
        self.i = end + 1
        return tuple(_Expr(part, self.scope, self.iota).parse()
                     for part in _split(inner, ",") if part)

    def _expect(self, text: str) -> None:
        t = self.peek()
        if t is None or t.text != text:
            raise Unresolved(text)
        self.i += 1


def _apply(op: str, a: FlagValue, b: FlagValue) -> FlagValue:
    if op in ("&&", "||") and isinstance(a, bool) and isinstance(b, bool):
        return (a and b) if op == "&&" else (a or b)
    if op in ("==", "!=") and type(a) is type(b):
        return (a == b) == (op == "==")
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    nums = isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(
        a, bool) and not isinstance(b, bool)
    if not nums:
        raise Unresolved(op)
    assert isinstance(a, int | float) and isinstance(b, int | float)
    dur = isinstance(a, Duration) or isinstance(b, Duration)
    out: int | float
    if op == "+":
        out = a + b
    elif op == "-":
        out = a - b
    elif op == "*":
        out = a * b
    elif op == "/" and b != 0:
        out = a // b if isinstance(a, int) and isinstance(b, int) else a / b
    elif op in ("<", "<=", ">", ">="):
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    elif isinstance(a, int) and isinstance(b, int) and op in ("<<", ">>", "%", "&", "|",
                                                              "^", "&^") and b >= 0:
        out = {"<<": lambda: a << b, ">>": lambda: a >> b, "%": lambda: a % b if b else 0,
               "&": lambda: a & b, "|": lambda: a | b, "^": lambda: a ^ b,
               "&^": lambda: a & ~b}[op]()
    else:
        raise Unresolved(op)
    return Duration(out) if dur and isinstance(out, int) else out


# --- flag definitions ---------------------------------------------------------------------

_VALUE_TYPES = {
    "Bool": "bool", "String": "string", "Int": "int", "Int8": "int", "Int16": "int",
    "Int32": "int", "Int64": "int", "Uint": "int", "Uint8": "int", "Uint16": "int",
    "Uint32": "int", "Uint64": "int", "Float32": "float", "Float64": "float",
    "Duration": "duration", "StringSlice": "list", "StringArray": "list", "IntSlice": "list",
    "Int32Slice": "list", "Int64Slice": "list", "UintSlice": "list", "BoolSlice": "list",
    "Float32Slice": "list", "Float64Slice": "list", "DurationSlice": "list", "IPSlice": "list",
    "StringToString": "map", "StringToInt": "map", "StringToInt64": "map", "IP": "ip",
    "IPMask": "ip", "IPNet": "ip", "BytesHex": "bytes", "BytesBase64": "bytes",
}


@dataclass(frozen=True, slots=True)
class _Shape:
    kind: str
    arity: int
    name_at: int
    value_at: int | None  # None: the API has no default argument
    usage_at: int
    implied: FlagValue = None
    implied_known: bool = False


def _shapes() -> dict[str, _Shape]:
    shapes: dict[str, _Shape] = {}
    for t, kind in _VALUE_TYPES.items():
        shapes[t] = _Shape(kind, 3, 0, 1, 2)
        shapes[t + "P"] = _Shape(kind, 4, 0, 2, 3)
        shapes[t + "Var"] = _Shape(kind, 4, 1, 2, 3)
        shapes[t + "VarP"] = _Shape(kind, 5, 1, 3, 4)
    shapes["Count"] = _Shape("int", 2, 0, None, 1, 0, True)
    shapes["CountP"] = _Shape("int", 3, 0, None, 2, 0, True)
    shapes["CountVar"] = _Shape("int", 3, 1, None, 2, 0, True)
    shapes["CountVarP"] = _Shape("int", 4, 1, None, 3, 0, True)
    shapes["Var"] = _Shape("value", 3, 1, None, 2)
    shapes["VarP"] = _Shape("value", 4, 1, None, 3)
    shapes["VarPF"] = _Shape("value", 4, 1, None, 3)
    shapes["TextVar"] = _Shape("text", 4, 1, 2, 3)
    shapes["Func"] = _Shape("func", 3, 0, None, 1, None, True)
    shapes["BoolFunc"] = _Shape("bool", 3, 0, None, 1, False, True)
    return shapes


_SHAPES = _shapes()
_FLAG_SETS = re.compile(r"(?:^|\.)(?:p?flag|fs|f?set|flags|flag_?set|CommandLine)$|Flags\(\)$",
                        re.IGNORECASE)


def _receiver(toks: Sequence[Tok], dot: int) -> str:
    """The source text of the expression before `.Method(`, e.g. `cmd.PersistentFlags()`."""
    parts: list[str] = []
    j = dot - 1
    while j >= 0:
        t = toks[j]
        if t.text == ")":  # a call: keep its arguments, then read the callee's name
            depth, k = 0, j
            while k >= 0:
                depth += toks[k].text == ")"
                depth -= toks[k].text == "("
                if depth == 0:
                    break
                k -= 1
            parts.append("".join(x.text for x in toks[max(k, 0):j + 1]))
            j = k - 1
            continue
        if t.kind != "id":
            break
        parts.append(t.text)
        j -= 1
        if j < 0 or toks[j].text != ".":
            break
        parts.append(".")
        j -= 1
    return "".join(reversed(parts))


def _how(receiver: str, method: str) -> str:
    if receiver in ("flag", "pflag"):
        return f"{receiver}.{method}"
    if receiver.endswith("Flags()"):
        return f"cobra {receiver}.{method}"
    return f"FlagSet {receiver}.{method}"


@dataclass(frozen=True, slots=True)
class _Raw:
    name: str
    name_known: bool
    default: FlagValue
    default_known: bool
    kind: str
    line: int
    how: str
    help: str | None = None
    prerelease: str | None = None


def _value(scope: Scope, toks: Sequence[Tok]) -> tuple[FlagValue, bool]:
    try:
        return scope.eval(toks), True
    except Unresolved:
        return None, False


def _flag_calls(gf: GoFile, scope: Scope) -> list[_Raw]:
    toks = gf.tokens
    out: list[_Raw] = []
    for i in range(1, len(toks) - 2):
        if not (toks[i].text == "." and toks[i + 1].kind == "id" and toks[i + 2].text == "("):
            continue
        method = toks[i + 1].text
        shape = _SHAPES.get(method)
        if shape is None:
            continue
        end = _matching(toks, i + 2)
        args = [a for a in _split(toks[i + 3:end], ",")]
        if args and not args[-1]:
            args.pop()  # a trailing comma before a closing parenthesis on its own line
        if len(args) != shape.arity:
            continue
        receiver = _receiver(toks, i)
        name_value, name_known = _value(scope, args[shape.name_at])
        flaggy = bool(_FLAG_SETS.search(receiver))
        if name_known and not isinstance(name_value, str):
            continue
        if not name_known and not flaggy:
            continue  # e.g. `x.String(a, b, c)` on something that is not a flag set
        name = name_value if isinstance(name_value, str) else "".join(
            t.text for t in args[shape.name_at])
        if shape.value_at is None:
            default, known = shape.implied, shape.implied_known
        else:
            default, known = _value(scope, args[shape.value_at])
        if isinstance(default, Duration):
            default = default.go()
        usage, usage_known = _value(scope, args[shape.usage_at])
        out.append(_Raw(name, name_known, default, known, shape.kind, toks[i + 1].line,
                        _how(receiver, method), usage if usage_known and isinstance(
                            usage, str) else None))
    return out


def _top_colon(toks: Sequence[Tok]) -> int | None:
    """Index of the first `:` outside brackets, if it is not the first token."""
    depth = 0
    for k, t in enumerate(toks):
        if t.kind == "op" and t.text in "([{":
            depth += 1
        elif t.kind == "op" and t.text in ")]}":
            depth -= 1
        elif depth == 0 and t.text == ":":
            return k or None
    return None


def _gate_maps(gf: GoFile, scope: Scope) -> list[_Raw]:
    """Entries of `map[featuregate.Feature]featuregate.FeatureSpec{...}` (or VersionedSpecs)."""
    toks = gf.tokens
    out: list[_Raw] = []
    for i in range(len(toks) - 2):
        if not (toks[i].text == "map" and toks[i + 1].text == "["):
            continue
        close = _matching(toks, i + 1)
        key_type = [t.text for t in toks[i + 2:close] if t.kind == "id"]
        j = close + 1
        value_type: list[str] = []
        while j < len(toks) and toks[j].text != "{" and toks[j].kind in ("id", "op") and \
                toks[j].text not in (";", ")", "="):
            value_type.append(toks[j].text)
            j += 1
        if not (key_type and key_type[-1] == "Feature" and value_type and
                value_type[-1] in ("FeatureSpec", "VersionedSpecs")) or j >= len(toks) or \
                toks[j].text != "{":
            continue
        versioned = value_type[-1] == "VersionedSpecs"
        body = toks[j + 1:_matching(toks, j)]
        for entry in _split(body, ","):
            entry = [t for t in entry if t.kind != ";"]
            colon = _top_colon(entry)
            if colon is None:
                continue
            key = entry[:colon]
            if key[0].text in _KEYWORDS or any(
                    t.kind not in ("id", "str") and t.text not in ".()" for t in key):
                continue  # not a map entry: e.g. a function body after a map return type
            spec = entry[colon + 1:]
            brace = next((k for k, t in enumerate(spec) if t.text == "{"), None)
            if brace is None:
                continue
            fields = spec[brace + 1:_matching(spec, brace)]
            if versioned:  # the last version listed is the one in force
                inner = [p for p in _split(fields, ",") if any(t.text == "{" for t in p)]
                if not inner:
                    continue
                last = inner[-1]
                b = next(k for k, t in enumerate(last) if t.text == "{")
                fields = last[b + 1:_matching(last, b)]
            named = {}
            for part in _split(fields, ","):
                part = [t for t in part if t.kind != ";"]
                if len(part) >= 3 and part[0].kind == "id" and part[1].text == ":":
                    named[part[0].text] = part[2:]
            name_value, name_known = _value(scope, key)
            name = name_value if name_known and isinstance(name_value, str) else "".join(
                t.text for t in key)
            if "Default" in named:
                default, known = _value(scope, named["Default"])
            else:
                default, known = False, True  # the zero value of FeatureSpec.Default
            pre = named.get("PreRelease")
            prerelease = None
            if pre:
                pv, pk = _value(scope, pre)
                prerelease = pv if pk and isinstance(pv, str) else pre[-1].text
            out.append(_Raw(name, name_known and isinstance(name_value, str), default, known,
                            "feature-gate", key[0].line,
                            "featuregate " + ("VersionedSpecs (latest entry)" if versioned
                                              else "FeatureSpec"), None, prerelease))
    return out


def may_define_flags(text: str) -> bool:
    """A cheap test that rules out most Go files: every flag set or gate map names itself."""
    low = text.lower()
    return "flag" in low or "featurespec" in low or "versionedspecs" in low


def find_go_flags(path: str, text: str, marker: str = "experimental", *,
                  parsed: GoFile | None = None, scope: Scope | None = None) -> list[Flag]:
    """Flags and feature gates defined in one Go file.

    SCOPE, when given, holds the package's constants from all its files; otherwise only this
    file's are used.
    """
    if parsed is None and not may_define_flags(text):
        return []
    gf = parsed or parse_file(path, text)
    scope = scope or Scope([gf])
    flags: list[Flag] = []
    for raw in _flag_calls(gf, scope) + _gate_maps(gf, scope):
        why = why_experimental(name=raw.name if raw.name_known else None, marker=marker,
                               help=raw.help, path=path, prerelease=raw.prerelease,
                               package=gf.package)
        flags.append(Flag(raw.name, raw.default, raw.kind, path, raw.line, why is not None,
                          raw.how, raw.default_known, raw.name_known, raw.help, why))
    flags.sort(key=lambda f: f.line)
    return flags
