"""Who owns a path: Kubernetes OWNERS as Prow reads them, and GitHub CODEOWNERS."""
