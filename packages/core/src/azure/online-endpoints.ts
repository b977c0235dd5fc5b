import {
  createSerializer,
  type OperationArguments,
  type OperationParameter,
  type OperationQueryParameter,
  type OperationSpec,
  type OperationURLParameter,
  type RawResponseCallback,
  type ServiceClient,
} from '@azure/core-client';
import { createHttpPoller, type LroResponse, type OperationState, type SimplePollerLike } from '@azure/core-lro';
import type { BeginOptions } from './operation.ts';

/**
 * Online endpoints read and written at api-version 2024-04-01, the newest stable version in the reference specs and
 * one that carries `mirrorTraffic` (2022-10-01, all that @azure/arm-machinelearning 2.1.1 speaks, does not: a PUT
 * there silently clears a mirror split). The requests go through the SDK client's own pipeline — its credential,
 * retries, user agent and timeouts — and long operations are followed by core-lro, as the SDK follows its own.
 */

export const ENDPOINT_API_VERSION = '2024-04-01';

export type Weights = Record<string, number>;

/** `OnlineEndpointTrackedResource` of the 2024-04-01 specification, as sent and as returned. */
export interface OnlineEndpointResource {
  id?: string;
  name?: string;
  type?: string;
  location: string;
  tags?: Record<string, string>;
  identity?: {
    type: string;
    userAssignedIdentities?: Record<string, unknown>;
    principalId?: string;
    tenantId?: string;
  };
  kind?: string;
  sku?: { name: string; tier?: string; size?: string; family?: string; capacity?: number };
  properties: OnlineEndpointProperties;
}

export interface OnlineEndpointProperties {
  authMode: string;
  description?: string;
  /** Values may be null (x-nullable in the specification). */
  properties?: Record<string, string | null>;
  compute?: string;
  publicNetworkAccess?: string;
  traffic?: Weights;
  /** At most one deployment, at most 50 %, never one with live traffic. */
  mirrorTraffic?: Weights;
  provisioningState?: string;
  scoringUri?: string;
  swaggerUri?: string;
}

/** The part of the SDK's client this needs: its pipeline, and the subscription and host its operations use. */
export type ArmClient = Pick<ServiceClient, 'sendOperationRequest'> & { subscriptionId: string; $host: string };

const serializer = createSerializer({}, false);
const text = (name: string, serializedName = name): OperationURLParameter => ({
  parameterPath: name,
  mapper: { serializedName, required: true, type: { name: 'String' } },
});
const constant = (name: string, serializedName: string, value: string): OperationQueryParameter => ({
  parameterPath: name,
  mapper: { serializedName, defaultValue: value, isConstant: true, type: { name: 'String' } },
});
const body: OperationParameter = {
  parameterPath: 'body',
  mapper: { serializedName: 'body', required: true, type: { name: 'Object' } },
};

const endpointSpec = (httpMethod: 'GET' | 'PUT'): OperationSpec => ({
  path: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/onlineEndpoints/{endpointName}',
  httpMethod,
  // No body mapper: the JSON is taken as the service sent it, so no property of this version is dropped.
  responses: httpMethod === 'GET' ? { 200: {}, default: {} } : { 200: {}, 201: {}, 202: {}, default: {} },
  queryParameters: [constant('apiVersion', 'api-version', ENDPOINT_API_VERSION)],
  urlParameters: [
    { ...text('$host'), skipEncoding: true },
    text('subscriptionId'),
    text('resourceGroupName'),
    text('workspaceName'),
    text('endpointName'),
  ],
  headerParameters: [
    constant('accept', 'Accept', 'application/json'),
    ...(httpMethod === 'PUT' ? [constant('contentType', 'Content-Type', 'application/json')] : []),
  ],
  ...(httpMethod === 'PUT' ? { requestBody: body, mediaType: 'json' as const } : {}),
  serializer,
});

const GET = endpointSpec('GET');
const PUT = endpointSpec('PUT');

export interface EndpointRef {
  resourceGroup: string;
  workspace: string;
  endpoint: string;
}

export class OnlineEndpointsClient {
  private readonly client: ArmClient;

  constructor(client: ArmClient) {
    this.client = client;
  }

  async get(ref: EndpointRef): Promise<OnlineEndpointResource> {
    return (await this.send(ref, GET)).flatResponse as OnlineEndpointResource;
  }

  /** PUT, followed as the SDK follows its own (Azure-AsyncOperation, Retry-After, final GET of the endpoint). */
  async beginCreateOrUpdate(
    ref: EndpointRef,
    resource: OnlineEndpointResource,
    options: { updateIntervalInMs?: number; abortSignal?: AbortSignal; onResponse?: BeginOptions['onResponse'] } = {},
  ): Promise<SimplePollerLike<OperationState<OnlineEndpointResource>, OnlineEndpointResource>> {
    const poller = await createHttpPoller<OnlineEndpointResource, OperationState<OnlineEndpointResource>>(
      {
        requestPath: PUT.path,
        requestMethod: PUT.httpMethod,
        sendInitialRequest: () => this.send(ref, PUT, { body: resource }, options.abortSignal, options.onResponse),
        sendPollRequest: (path, pollOptions) =>
          this.send(
            ref,
            { ...GET, path },
            {},
            (pollOptions?.abortSignal as AbortSignal | undefined) ?? options.abortSignal,
            options.onResponse,
          ),
      },
      { ...(options.updateIntervalInMs === undefined ? {} : { intervalInMs: options.updateIntervalInMs }) },
    );
    return poller;
  }

  private async send(
    ref: EndpointRef,
    spec: OperationSpec,
    extra: OperationArguments = {},
    abortSignal?: AbortSignal,
    observe?: BeginOptions['onResponse'],
  ): Promise<LroResponse> {
    let raw: Parameters<RawResponseCallback>[0] | undefined;
    await this.client.sendOperationRequest(
      {
        resourceGroupName: ref.resourceGroup,
        workspaceName: ref.workspace,
        endpointName: ref.endpoint,
        ...extra,
        options: {
          ...(abortSignal === undefined ? {} : { abortSignal }),
          onResponse: (response) => {
            raw = response;
            observe?.({ bodyAsText: response.bodyAsText ?? null, headers: response.headers });
          },
        },
      },
      spec,
    );
    const response = raw as Parameters<RawResponseCallback>[0];
    // The parsed JSON itself: without a body mapper the client's flattened result would wrap it in `body`.
    return {
      flatResponse: response.parsedBody,
      rawResponse: { statusCode: response.status, headers: response.headers.toJSON(), body: response.parsedBody },
    };
  }
}
