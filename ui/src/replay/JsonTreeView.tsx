import { Marked } from '../findings/EvidenceMarks';
import type { JsonNode } from '../lib/json-tree';
import { summarise } from '../lib/json-tree';

/** A collapsible JSON tree built from native <details>, so folding needs no script state. */
export function JsonTreeView({ node }: { node: JsonNode }) {
  return (
    <div className="json-tree" data-testid="json-tree">
      <TreeNode node={node} depth={0} />
    </div>
  );
}

function Key({ name }: { name: string }) {
  return name === '' ? null : <span className="jt-key">{name}: </span>;
}

function TreeNode({ node, depth }: { node: JsonNode; depth: number }) {
  if (node.type === 'value') {
    return (
      <div className="jt-leaf" data-path={node.path}>
        <Key name={node.key} />
        <span className={`jt-${node.valueType}`}>
          <Marked text={node.text} />
        </span>
      </div>
    );
  }
  return (
    <details className="jt-branch" open={depth < 2}>
      <summary>
        <Key name={node.key} />
        <span className="muted">{summarise(node)}</span>
      </summary>
      <div className="jt-children">
        {node.children.map((c) => (
          <TreeNode key={c.path} node={c} depth={depth + 1} />
        ))}
        {node.truncated > 0 && <div className="muted small">… {node.truncated} more not shown</div>}
      </div>
    </details>
  );
}
