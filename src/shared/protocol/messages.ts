// JSON-RPC 2.0 envelopes, the handshake and the notifications of PROTOCOL.md §2–4.
import { z } from 'zod';
import { HEARTBEAT_MS } from './constants.js';
import { rpcErrorObjectSchema } from './errors.js';
import { environmentSchema, sourceStateSchema } from './methods.js';

export const rpcIdSchema = z.union([z.string(), z.number()]);
export type RpcId = z.infer<typeof rpcIdSchema>;

export const rpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: rpcIdSchema,
  method: z.string().min(1),
  params: z.unknown().optional(),
});
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

export const rpcNotificationSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1),
  params: z.unknown().optional(),
});
export type RpcNotification = z.infer<typeof rpcNotificationSchema>;

export const rpcSuccessSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: rpcIdSchema,
  result: z.unknown(),
});
export const rpcFailureSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: rpcIdSchema.nullable(),
  error: rpcErrorObjectSchema,
});
export const rpcResponseSchema = z.union([rpcSuccessSchema, rpcFailureSchema]);
export type RpcResponse = z.infer<typeof rpcResponseSchema>;

export const helloParamsSchema = z.strictObject({
  protocol: z.number().int(),
  token: z.string().min(1).max(512),
  connectorId: z.uuid(),
  name: z.string().min(1).max(255),
  version: z.string().min(1).max(64),
  environment: environmentSchema,
  methods: z.array(z.string().max(64)).max(32),
  maxConcurrency: z.number().int().min(1).max(100_000),
});
export type HelloParams = z.infer<typeof helloParamsSchema>;

export const helloRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.literal('hello'),
  method: z.literal('connector.hello'),
  params: helloParamsSchema,
});

export const helloResultSchema = z.object({
  sessionId: z.string().min(1),
  tenant: z.string().min(1),
  environment: environmentSchema,
  // PROTOCOL §1: the platform's choice, "15 000 by default". A platform that names none, or
  // something that is no interval (0, negative, text), gets the default rather than a session
  // refused and retried for ever; a number out of bounds is clamped by the connector.
  heartbeatMs: z.number().positive().catch(HEARTBEAT_MS),
});
export type HelloResult = z.infer<typeof helloResultSchema>;

export const NOTIFICATIONS = {
  cancel: '$/cancelRequest',
  draining: 'connector.draining',
  goaway: 'platform.goaway',
  health: 'connector.health',
} as const;

export const cancelParamsSchema = z.object({ id: rpcIdSchema });
export const drainingParamsSchema = z.object({}).loose();
export const goawayParamsSchema = z.object({
  reconnectAfterMs: z.number().int().min(0).max(3_600_000).default(0),
});
export const healthParamsSchema = z.object({
  sources: z.record(z.string(), sourceStateSchema),
});
export type HealthParams = z.infer<typeof healthParamsSchema>;

/** A zod error turned into "field a.b: expected …" without echoing any value. */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length ? issue.path.join('.') : '(root)';
  return `${path}: ${safeIssueText(issue)}`;
}

function safeIssueText(issue: z.core.$ZodIssue): string {
  // zod's own messages for these codes never include the received value.
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_small':
      return `too short or small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `too long or large (maximum ${String(issue.maximum)})`;
    case 'invalid_format':
      return `invalid format (${issue.format})`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return 'invalid';
  }
}
