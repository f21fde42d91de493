// Placeholder so that infra can bundle an entry point; replaced by the real handler (issue 3).
export const handler = async (_event: unknown): Promise<void> => {
  throw new Error('handler not implemented yet');
};
