// The host side of the contract, shared by Electron main and the preview bridge: check the channel,
// parse the input with its schema, run the handler, and wrap the answer (or the failure) in words.
import type { z } from 'zod';
import { type ChannelName, channelInputs, type IpcHandlers, type IpcReply, isChannelName } from './channels.js';

export class IpcUserError extends Error {
  override readonly name = 'IpcUserError';
}

export async function dispatchIpc(handlers: IpcHandlers, channel: unknown, input: unknown): Promise<IpcReply<unknown>> {
  if (!isChannelName(channel)) {
    return { ok: false, error: { code: 'unknown_channel', message: 'Unknown request.' } };
  }
  const parsed = channelInputs[channel].safeParse(input ?? undefined);
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_input', message: describeInputError(channel, parsed.error) } };
  }
  try {
    const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    // Only messages written for people cross the boundary; anything else becomes a generic line.
    const message =
      error instanceof IpcUserError ? error.message : 'Something went wrong. Copy diagnostics and contact support.';
    return { ok: false, error: { code: 'failed', message } };
  }
}

/** Names the fields, never their values (a token or a patient number may be in the input). */
export function describeInputError(channel: ChannelName, error: z.ZodError): string {
  const fields = [...new Set(error.issues.map((i) => i.path.join('.') || '(input)'))].slice(0, 5);
  return `Invalid request to ${channel}: ${fields.join(', ')}`;
}
