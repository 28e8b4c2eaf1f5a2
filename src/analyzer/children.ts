// A node's children, as `ts.forEachChild` gives them (the same nodes, in the same order), appended to an array.
// source.ts's `walk` (the rules' subtree walks) pushes them onto its stack with this instead of a callback per
// child through `ts.forEachChild` (7-12% less time per walk, measured on the bench corpora). The kinds that make
// up most of a model file (property accesses, calls, binary expressions, declarations, object and array literals,
// blocks: about 90% of its nodes) read their child fields directly here; every other kind goes through
// `ts.forEachChild`. collect.ts's walk, which also sets parents, reads them here too (issue 24, third pass: the
// same cost as a callback on the bench, and not slowed when other callers feed `ts.forEachChild` other callbacks). test/unit/analyzer/children.test.ts checks both agree on every node of the bench corpora, the labelled
// corpora and the examples: a TypeScript upgrade that adds a child field fails there.
import ts = require('typescript');

const enum Shape { Other, Access, Call, Binary, List, Decl, PropAssign, Expr, As, Param, PropDecl, Unary, VarStatement, Element }

const SHAPE = new Uint8Array(ts.SyntaxKind.Count);
SHAPE[ts.SyntaxKind.PropertyAccessExpression] = Shape.Access;
SHAPE[ts.SyntaxKind.ElementAccessExpression] = Shape.Element;
SHAPE[ts.SyntaxKind.CallExpression] = Shape.Call;
SHAPE[ts.SyntaxKind.NewExpression] = Shape.Call;
SHAPE[ts.SyntaxKind.BinaryExpression] = Shape.Binary;
SHAPE[ts.SyntaxKind.VariableDeclarationList] = Shape.List;
SHAPE[ts.SyntaxKind.ObjectLiteralExpression] = Shape.List;
SHAPE[ts.SyntaxKind.ArrayLiteralExpression] = Shape.List;
SHAPE[ts.SyntaxKind.Block] = Shape.List;
SHAPE[ts.SyntaxKind.VariableDeclaration] = Shape.Decl;
SHAPE[ts.SyntaxKind.PropertyAssignment] = Shape.PropAssign;
SHAPE[ts.SyntaxKind.ExpressionStatement] = Shape.Expr;
SHAPE[ts.SyntaxKind.ReturnStatement] = Shape.Expr;
SHAPE[ts.SyntaxKind.ParenthesizedExpression] = Shape.Expr;
SHAPE[ts.SyntaxKind.NonNullExpression] = Shape.Expr;
SHAPE[ts.SyntaxKind.SpreadElement] = Shape.Expr;
SHAPE[ts.SyntaxKind.AwaitExpression] = Shape.Expr;
SHAPE[ts.SyntaxKind.AsExpression] = Shape.As;
SHAPE[ts.SyntaxKind.Parameter] = Shape.Param;
SHAPE[ts.SyntaxKind.PropertyDeclaration] = Shape.PropDecl;
SHAPE[ts.SyntaxKind.PrefixUnaryExpression] = Shape.Unary;
SHAPE[ts.SyntaxKind.PostfixUnaryExpression] = Shape.Unary;
SHAPE[ts.SyntaxKind.VariableStatement] = Shape.VarStatement;

/** The child fields the fast kinds read (one object shape for the property loads below). */
interface Fields {
  expression?: ts.Node;
  questionDotToken?: ts.Node;
  name?: ts.Node;
  argumentExpression?: ts.Node;
  typeArguments?: ts.NodeArray<ts.Node>;
  arguments?: ts.NodeArray<ts.Node>;
  left?: ts.Node;
  operatorToken?: ts.Node;
  right?: ts.Node;
  declarations?: ts.NodeArray<ts.Node>;
  properties?: ts.NodeArray<ts.Node>;
  elements?: ts.NodeArray<ts.Node>;
  statements?: ts.NodeArray<ts.Node>;
  exclamationToken?: ts.Node;
  questionToken?: ts.Node;
  dotDotDotToken?: ts.Node;
  type?: ts.Node;
  initializer?: ts.Node;
  modifiers?: ts.NodeArray<ts.Node>;
  operand?: ts.Node;
  declarationList?: ts.Node;
}

const LAST_TOKEN = ts.SyntaxKind.LastToken;
let target: ts.Node[] = [];
const pushTarget = (c: ts.Node): undefined => {
  target.push(c);
  return undefined;
};

function pushAll(out: ts.Node[], list: ts.NodeArray<ts.Node> | undefined): void {
  if (list) for (let i = 0; i < list.length; i++) out.push(list[i]);
}

/** Appends the children of `node` to `out`, in source order: what `ts.forEachChild(node, ...)` visits. */
export function pushChildren(node: ts.Node, out: ts.Node[]): void {
  const n = node as unknown as Fields;
  switch (SHAPE[node.kind]) {
    case Shape.Access:
      out.push(n.expression!);
      if (n.questionDotToken) out.push(n.questionDotToken);
      out.push(n.name!);
      return;
    case Shape.Element:
      out.push(n.expression!);
      if (n.questionDotToken) out.push(n.questionDotToken);
      out.push(n.argumentExpression!);
      return;
    case Shape.Call:
      out.push(n.expression!);
      if (n.questionDotToken) out.push(n.questionDotToken);
      pushAll(out, n.typeArguments);
      pushAll(out, n.arguments);
      return;
    case Shape.Binary:
      out.push(n.left!, n.operatorToken!, n.right!);
      return;
    case Shape.List:
      // (the one list field of each: declarations, properties, elements, statements)
      pushAll(out, n.declarations ?? n.properties ?? n.elements ?? n.statements);
      return;
    case Shape.Decl:
      out.push(n.name!);
      if (n.exclamationToken) out.push(n.exclamationToken);
      if (n.type) out.push(n.type);
      if (n.initializer) out.push(n.initializer);
      return;
    case Shape.PropAssign:
      pushAll(out, n.modifiers);
      out.push(n.name!);
      if (n.questionToken) out.push(n.questionToken);
      if (n.exclamationToken) out.push(n.exclamationToken);
      out.push(n.initializer!);
      return;
    case Shape.Expr:
      if (n.expression) out.push(n.expression);
      return;
    case Shape.As:
      out.push(n.expression!, n.type!);
      return;
    case Shape.Param:
      pushAll(out, n.modifiers);
      if (n.dotDotDotToken) out.push(n.dotDotDotToken);
      out.push(n.name!);
      if (n.questionToken) out.push(n.questionToken);
      if (n.type) out.push(n.type);
      if (n.initializer) out.push(n.initializer);
      return;
    case Shape.PropDecl:
      pushAll(out, n.modifiers);
      out.push(n.name!);
      if (n.questionToken) out.push(n.questionToken);
      if (n.exclamationToken) out.push(n.exclamationToken);
      if (n.type) out.push(n.type);
      if (n.initializer) out.push(n.initializer);
      return;
    case Shape.Unary:
      out.push(n.operand!);
      return;
    case Shape.VarStatement:
      pushAll(out, n.modifiers);
      out.push(n.declarationList!);
      return;
    default: {
      if (node.kind <= LAST_TOKEN) return;
      const saved = target;
      target = out;
      ts.forEachChild(node, pushTarget);
      target = saved;
    }
  }
}
