/** Shared by the browser export and the `export` command (web-ui.md 5.1). */
export const MAX_EXPORTED_RUNS = 100;

export function exportFileName(scope: 'chat' | 'run', id: string, exportedAt: string): string {
  return `coder-agents-debug-${scope}-${id.slice(0, 8)}-${exportedAt.replace(/[:.]/g, '-')}.json`;
}
