/**
 * The Fastify side of tracing. The SDK (tracing.ts) is loaded only when tracing is configured, and
 * it leaves @fastify/otel's plugin here; the server registers whatever is here. This module imports
 * nothing of the SDK, so a server that does not trace loads none of it.
 */
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';

let plugin: FastifyPluginCallback | undefined;

/** Called by tracing.ts once the SDK has started: the plugin every server built afterwards registers. */
export function useFastifyTracing(tracingPlugin: FastifyPluginCallback | undefined): void {
  plugin = tracingPlugin;
}

/**
 * Registers @fastify/otel on `app` when this process traces, and does nothing otherwise. Call it
 * before any route or plugin is added: the plugin sees routes as they are defined (its README).
 */
export async function registerTracing(app: FastifyInstance): Promise<void> {
  if (plugin) await app.register(plugin);
}
