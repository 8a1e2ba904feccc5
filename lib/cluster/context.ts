/** kind names a cluster's kubeconfig context `kind-<name>`; that prefix is how a run knows a lab (kind) cluster. */
export function kindClusterOf(context: string | undefined): string | undefined {
  return context?.startsWith('kind-') ? context.slice('kind-'.length) : undefined;
}
