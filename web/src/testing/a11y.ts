import axe from 'axe-core';

/**
 * Runs axe-core on the document and returns violations of the rules jsdom can judge (names,
 * roles, ARIA references, labels); layout-dependent rules such as colour contrast are off.
 */
export async function axeViolations(root: Element | Document = document): Promise<string[]> {
  const results = await axe.run(root as Element, {
    rules: {
      'color-contrast': { enabled: false },
      region: { enabled: false },
    },
  });
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
