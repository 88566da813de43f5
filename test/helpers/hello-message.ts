// The connector.hello a test client sends when it plays a connector by hand (PROTOCOL §2).
export function helloMessage(token: string, params: Record<string, unknown> = {}) {
  return {
    jsonrpc: '2.0',
    id: 'hello',
    method: 'connector.hello',
    params: {
      protocol: 1,
      token,
      connectorId: '0b7f3c1e-6f43-4b8e-9d55-1f0b8a3e2c11',
      name: 'reception-pc',
      version: '0.1.0',
      environment: 'demo',
      methods: ['patient.lookup'],
      maxConcurrency: 4,
      ...params,
    },
  };
}
