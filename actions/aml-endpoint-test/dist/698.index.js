export const id = 698;
export const ids = [698];
export const modules = {

/***/ 58698:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  AmlWorkspace: () => (/* binding */ AmlWorkspace)
});

// EXTERNAL MODULE: ../../packages/core/src/errors.ts
var errors = __webpack_require__(85736);
// EXTERNAL MODULE: ../../packages/core/src/azure/asset-ref.ts
var asset_ref = __webpack_require__(1791);
// EXTERNAL MODULE: ../../packages/core/src/azure/operation.ts + 1 modules
var operation = __webpack_require__(21074);
// EXTERNAL MODULE: ../../node_modules/@azure/core-client/dist/esm/index.js + 16 modules
var esm = __webpack_require__(19198);
// EXTERNAL MODULE: ../../node_modules/@azure/core-lro/dist/esm/index.js + 10 modules
var dist_esm = __webpack_require__(52508);
;// CONCATENATED MODULE: ../../packages/core/src/azure/online-endpoints.ts


/**
 * Online endpoints read and written at api-version 2024-04-01, the newest stable version in the reference specs and
 * one that carries `mirrorTraffic` (2022-10-01, all that @azure/arm-machinelearning 2.1.1 speaks, does not: a PUT
 * there silently clears a mirror split). The requests go through the SDK client's own pipeline — its credential,
 * retries, user agent and timeouts — and long operations are followed by core-lro, as the SDK follows its own.
 */
const ENDPOINT_API_VERSION = '2024-04-01';
const serializer = (0,esm/* createSerializer */.rl)({}, false);
const online_endpoints_text = (name, serializedName = name) => ({
    parameterPath: name,
    mapper: { serializedName, required: true, type: { name: 'String' } },
});
const constant = (name, serializedName, value) => ({
    parameterPath: name,
    mapper: { serializedName, defaultValue: value, isConstant: true, type: { name: 'String' } },
});
const body = {
    parameterPath: 'body',
    mapper: { serializedName: 'body', required: true, type: { name: 'Object' } },
};
const endpointSpec = (httpMethod) => ({
    path: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/onlineEndpoints/{endpointName}',
    httpMethod,
    // No body mapper: the JSON is taken as the service sent it, so no property of this version is dropped.
    responses: httpMethod === 'GET' ? { 200: {}, default: {} } : { 200: {}, 201: {}, 202: {}, default: {} },
    queryParameters: [constant('apiVersion', 'api-version', ENDPOINT_API_VERSION)],
    urlParameters: [
        { ...online_endpoints_text('$host'), skipEncoding: true },
        online_endpoints_text('subscriptionId'),
        online_endpoints_text('resourceGroupName'),
        online_endpoints_text('workspaceName'),
        online_endpoints_text('endpointName'),
    ],
    headerParameters: [
        constant('accept', 'Accept', 'application/json'),
        ...(httpMethod === 'PUT' ? [constant('contentType', 'Content-Type', 'application/json')] : []),
    ],
    ...(httpMethod === 'PUT' ? { requestBody: body, mediaType: 'json' } : {}),
    serializer,
});
const GET = endpointSpec('GET');
const PUT = endpointSpec('PUT');
class OnlineEndpointsClient {
    client;
    constructor(client) {
        this.client = client;
    }
    async get(ref) {
        return (await this.send(ref, GET)).flatResponse;
    }
    /** PUT, followed as the SDK follows its own (Azure-AsyncOperation, Retry-After, final GET of the endpoint). */
    async beginCreateOrUpdate(ref, resource, options = {}) {
        const poller = await (0,dist_esm/* createHttpPoller */.Vj)({
            requestPath: PUT.path,
            requestMethod: PUT.httpMethod,
            sendInitialRequest: () => this.send(ref, PUT, { body: resource }, options.abortSignal, options.onResponse),
            sendPollRequest: (path, pollOptions) => this.send(ref, { ...GET, path }, {}, pollOptions?.abortSignal ?? options.abortSignal, options.onResponse),
        }, { ...(options.updateIntervalInMs === undefined ? {} : { intervalInMs: options.updateIntervalInMs }) });
        return poller;
    }
    async send(ref, spec, extra = {}, abortSignal, observe) {
        let raw;
        await this.client.sendOperationRequest({
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
        }, spec);
        const response = raw;
        // The parsed JSON itself: without a body mapper the client's flattened result would wrap it in `body`.
        return {
            flatResponse: response.parsedBody,
            rawResponse: { statusCode: response.status, headers: response.headers.toJSON(), body: response.parsedBody },
        };
    }
}

// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ../../packages/core/src/duration.ts
var duration = __webpack_require__(28283);
// EXTERNAL MODULE: ../../packages/core/src/azure/poll-schedule.ts
var poll_schedule = __webpack_require__(61358);
;// CONCATENATED MODULE: ../../packages/core/src/aml/busy-endpoint.ts



/**
 * An endpoint busy with an operation refuses changes to itself and its deployments, and keeps refusing for a while
 * after the operation reported Succeeded ("Cannot create a deployment in endpoint … because it is in Updating
 * provisioning state", azure-sdk-for-net#36961). Writes wait for it to settle and are sent again with backoff.
 */
const BUSY_STATES = new Set(['Creating', 'Updating', 'Deleting', 'Scaling']);
function isBusyState(state) {
    return state !== undefined && BUSY_STATES.has(state);
}
/** A write refused because the resource (or its endpoint) is busy: 409 with a message that says so. */
function isBusyConflict(error) {
    const { statusCode, message } = (error ?? {});
    return (statusCode === 409 && /provisioning state|in progress|\b(creating|updating|deleting|scaling)\b/i.test(message ?? ''));
}
/** The delays between attempts: doubling from `first`, at most 30 s each, all within `budgetMs`. */
function busyRetryDelays(first, budgetMs) {
    const delays = [];
    let total = 0;
    for (let delay = first; total + delay <= budgetMs; delay = Math.min(delay * 2, 30_000)) {
        delays.push(delay);
        total += delay;
    }
    return delays;
}
async function retryWhileBusy(start, retry) {
    const delays = busyRetryDelays(retry.busyRetryMs ?? 2000, retry.timeoutMs);
    for (let attempt = 0;; attempt++) {
        try {
            return await start();
        }
        catch (error) {
            const delay = delays[attempt];
            if (!isBusyConflict(error) || delay === undefined)
                throw error;
            retry.log?.(`… ${retry.action}: refused while the endpoint is busy (${error.message}); sending it again in ${(0,duration/* formatDuration */.a3)(delay)}.`);
            await (0,promises_.setTimeout)(delay);
            const stop = await retry.beforeRetry?.();
            if (stop)
                throw new Error(`${retry.action}: not sent again: ${stop}`, { cause: error });
        }
    }
}
/** Reads until the state is no longer busy, at most `timeoutMs`; returns the last read. */
async function waitUntilSettled(read, stateOf, options) {
    const started = Date.now();
    const log = options.log ?? (() => undefined);
    let lastProgress = started;
    for (;;) {
        const value = await read();
        const state = stateOf(value);
        if (!isBusyState(state) || Date.now() - started >= options.timeoutMs)
            return value;
        if (Date.now() - lastProgress >= Math.min(options.progressEveryMs ?? 30_000, 30_000)) {
            log(`… ${options.action}: ${state} (${(0,duration/* formatDuration */.a3)(Date.now() - started)} elapsed)`);
            lastProgress = Date.now();
        }
        const wait = (0,poll_schedule/* nextPollDelayMs */.Gc)(Date.now() - started, options.pollIntervalMs);
        await (0,promises_.setTimeout)(Math.min(wait, Math.max(0, options.timeoutMs - (Date.now() - started))));
    }
}

// EXTERNAL MODULE: ../../packages/core/src/summary.ts
var summary = __webpack_require__(94195);
;// CONCATENATED MODULE: ../../packages/core/src/aml/resource-state.ts
function endpointState(raw) {
    const { properties } = raw;
    return {
        name: raw.name,
        provisioningState: properties.provisioningState,
        authMode: properties.authMode,
        scoringUri: properties.scoringUri,
        traffic: { ...(properties.traffic ?? {}) },
        mirror: { ...(properties.mirrorTraffic ?? {}) },
        raw,
    };
}
function deploymentState(raw) {
    return {
        name: raw.name,
        provisioningState: raw.properties.provisioningState,
        model: raw.properties.model,
        tags: (raw.tags ?? {}),
        instanceType: raw.properties.instanceType,
        capacity: raw.sku?.capacity,
        raw,
    };
}

;// CONCATENATED MODULE: ../../packages/core/src/aml/workspace.ts







function isNotFound(error) {
    return error?.statusCode === 404;
}
class AmlWorkspace {
    client;
    scope;
    /** The sign-in ARM calls use; also reaches the workspace's storage with Microsoft Entra ID. */
    credential;
    endpoints;
    constructor(client, scope, options = {}) {
        this.client = client;
        this.scope = { ...scope, subscriptionId: client.subscriptionId };
        this.credential = options.credential;
        this.endpoints = new OnlineEndpointsClient(client);
    }
    get rg() {
        return this.scope.resourceGroup;
    }
    get ws() {
        return this.scope.workspace;
    }
    endpointRef(endpoint) {
        return { resourceGroup: this.rg, workspace: this.ws, endpoint };
    }
    async call(action, work) {
        try {
            return await work();
        }
        catch (error) {
            throw (0,operation/* toServiceError */.N1)(error, action);
        }
    }
    async location() {
        const workspace = await this.call(`Reading workspace ${this.ws} in resource group ${this.rg}`, async () => {
            try {
                return await this.client.workspaces.get(this.rg, this.ws);
            }
            catch (error) {
                if (isNotFound(error)) {
                    throw new errors/* UserError */.yo(`Workspace ${this.ws} was not found in resource group ${this.rg} of subscription ${this.scope.subscriptionId}: ` +
                        "check 'resource-group' and 'workspace' (or 'group' and 'workspace' in the env file), and that the identity has access.");
                }
                throw error;
            }
        });
        return workspace.location;
    }
    async getEndpoint(name) {
        return this.call(`Reading endpoint ${name}`, async () => {
            try {
                return endpointState(await this.endpoints.get(this.endpointRef(name)));
            }
            catch (error) {
                if (isNotFound(error))
                    return undefined;
                throw error;
            }
        });
    }
    async requireEndpoint(name) {
        const endpoint = await this.getEndpoint(name);
        if (!endpoint) {
            throw new errors/* UserError */.yo(`Endpoint ${name} does not exist in workspace ${this.ws}: run aml-endpoint-deploy first, or check 'endpoint'.`);
        }
        return endpoint;
    }
    async listDeployments(endpoint) {
        return this.call(`Listing the deployments of endpoint ${endpoint}`, async () => {
            const result = [];
            for await (const deployment of this.client.onlineDeployments.list(this.rg, this.ws, endpoint)) {
                result.push(deploymentState(deployment));
            }
            return result;
        });
    }
    async getDeployment(endpoint, name) {
        return this.call(`Reading deployment ${name} of endpoint ${endpoint}`, async () => {
            try {
                return deploymentState(await this.client.onlineDeployments.get(this.rg, this.ws, endpoint, name));
            }
            catch (error) {
                if (isNotFound(error))
                    return undefined;
                throw error;
            }
        });
    }
    /**
     * Waits until the endpoint has left Creating/Updating/Deleting (someone else's operation, or ours still settling),
     * at most `settings.timeoutMs`; returns the endpoint as it then is. A `known` settled state is taken as is (no read):
     * a write that still meets a busy endpoint is refused with a 409 and sent again (`begin`).
     */
    async waitForEndpoint(name, settings, known) {
        const endpoint = known ?? (await this.getEndpoint(name));
        if (!endpoint || !isBusyState(endpoint.provisioningState))
            return endpoint;
        return waitUntilSettled(() => this.getEndpoint(name), (state) => state?.provisioningState, { action: `Waiting for endpoint ${name} to finish its ${endpoint.provisioningState} operation`, ...settings });
    }
    /** Starts a write; one refused because the endpoint is busy (409) is sent again with backoff, within the timeout. */
    begin(action, settings, start, retry = {}) {
        return retryWhileBusy(start, { action, ...settings, ...retry });
    }
    async putEndpoint(name, body, action, settings, retry = {}) {
        const result = await (0,operation/* followOperation */.Dn)((options) => this.begin(action, settings, () => this.endpoints.beginCreateOrUpdate(this.endpointRef(name), body, options), retry), {
            action,
            ...settings,
            readState: async () => (await this.getEndpoint(name))?.provisioningState,
        });
        return endpointState(result);
    }
    /**
     * Sets traffic with one PUT of the endpoint as it is now (PATCH cannot change traffic). Everything but the traffic
     * map (and the mirror split, when the plan changes it) is sent back exactly as read.
     */
    async setTraffic(endpoint, traffic, settings, 
    /** Tags to set with the traffic; `undefined` removes one. */
    tags = {}, mirror = endpoint.mirror, retry = {}) {
        const { raw } = endpoint;
        const merged = Object.entries({ ...raw.tags, ...tags }).filter((entry) => entry[1] !== undefined);
        const body = {
            location: raw.location,
            tags: Object.fromEntries(merged),
            identity: raw.identity && {
                type: raw.identity.type,
                userAssignedIdentities: raw.identity.userAssignedIdentities,
            },
            kind: raw.kind,
            sku: raw.sku,
            properties: {
                authMode: raw.properties.authMode,
                description: raw.properties.description,
                properties: raw.properties.properties,
                publicNetworkAccess: raw.properties.publicNetworkAccess,
                compute: raw.properties.compute,
                traffic: { ...traffic },
                mirrorTraffic: { ...mirror },
            },
        };
        return this.putEndpoint(endpoint.name, body, `Setting traffic of endpoint ${endpoint.name} to ${JSON.stringify(traffic)}`, settings, retry);
    }
    async putDeployment(endpoint, name, body, action, settings) {
        const result = await (0,operation/* followOperation */.Dn)((options) => this.begin(action, settings, () => this.client.onlineDeployments.beginCreateOrUpdate(this.rg, this.ws, endpoint, name, body, options)), {
            action,
            ...settings,
            readState: async () => (await this.getDeployment(endpoint, name))?.provisioningState,
        });
        return deploymentState(result);
    }
    async scaleDeployment(endpoint, name, capacity, settings) {
        const action = `Scaling deployment ${name} of endpoint ${endpoint} to ${capacity} instance(s)`;
        await (0,operation/* followOperation */.Dn)((options) => this.begin(action, settings, () => this.client.onlineDeployments.beginUpdate(this.rg, this.ws, endpoint, name, { sku: { capacity } }, options)), { action, ...settings });
    }
    async deleteDeployment(endpoint, name, settings) {
        const action = `Deleting deployment ${name} of endpoint ${endpoint}`;
        await (0,operation/* followOperation */.Dn)((options) => this.begin(action, settings, () => this.client.onlineDeployments.beginDelete(this.rg, this.ws, endpoint, name, options)), { action, ...settings });
    }
    /** The last lines of a container's log; never throws (logs are evidence, not a step that can fail). */
    async logs(endpoint, deployment, container, tail = 200) {
        try {
            const result = await this.client.onlineDeployments.getLogs(this.rg, this.ws, endpoint, deployment, {
                containerType: container,
                tail,
            });
            return result.content ?? '';
        }
        catch (error) {
            return `(could not read the ${container} log: ${(0,operation/* toServiceError */.N1)(error, 'getLogs').message})`;
        }
    }
    /** The credential for scoring requests, masked at once. */
    async scoringCredential(endpoint) {
        if (endpoint.authMode === 'AMLToken') {
            const token = await this.call(`Getting a scoring token for endpoint ${endpoint.name}`, () => this.client.onlineEndpoints.getToken(this.rg, this.ws, endpoint.name));
            (0,summary/* maskSecret */.$l)(token.accessToken);
            return { kind: 'aml_token', value: token.accessToken };
        }
        if (endpoint.authMode !== 'Key') {
            throw new errors/* UserError */.yo(`Endpoint ${endpoint.name} uses ${endpoint.authMode} auth, which the test action does not support yet: use key or aml_token.`);
        }
        const keys = await this.call(`Reading the keys of endpoint ${endpoint.name}`, () => this.client.onlineEndpoints.listKeys(this.rg, this.ws, endpoint.name));
        (0,summary/* maskSecret */.$l)(keys.primaryKey);
        (0,summary/* maskSecret */.$l)(keys.secondaryKey);
        return { kind: 'key', value: keys.primaryKey };
    }
    /** An asset reference → the exact version it names (`@latest` → the newest version). */
    async resolveAsset(kind, ref) {
        const noun = kind === 'codes' ? 'code' : kind.slice(0, -1);
        switch (ref.type) {
            case 'arm-id':
                return { id: ref.id, name: ref.name, version: ref.version };
            case 'registry':
                return { id: (0,asset_ref/* registryAssetId */.hf)(ref.registry, kind, ref.name, ref.version), name: ref.name, version: ref.version };
            case 'registry-label':
                if (kind === 'environments') {
                    // The service resolves registry environment labels itself (curated environments are used this way).
                    return {
                        id: `azureml://registries/${ref.registry}/${kind}/${ref.name}/labels/${ref.label}`,
                        name: ref.name,
                        version: ref.label,
                    };
                }
                throw new errors/* UserError */.yo(`${noun} ${ref.name}@${ref.label} in registry ${ref.registry}: registry labels cannot be resolved through the workspace API; ` +
                    `name the exact version (azureml://registries/${ref.registry}/${kind}/${ref.name}/versions/<version>).`);
            case 'workspace':
                await this.requireVersion(kind, ref.name, ref.version);
                return { id: (0,asset_ref/* assetVersionId */.cn)(this.scope, kind, ref.name, ref.version), name: ref.name, version: ref.version };
            case 'workspace-label': {
                if (ref.label !== 'latest') {
                    throw new errors/* UserError */.yo(`${noun} label '@${ref.label}' is not supported: use '@latest' or an exact version.`);
                }
                const version = await this.latestVersion(kind, ref.name);
                return { id: (0,asset_ref/* assetVersionId */.cn)(this.scope, kind, ref.name, version), name: ref.name, version };
            }
        }
    }
    versions(kind) {
        return kind === 'models'
            ? this.client.modelVersions
            : kind === 'environments'
                ? this.client.environmentVersions
                : this.client.codeVersions;
    }
    async requireVersion(kind, name, version) {
        const noun = kind === 'codes' ? 'code' : kind.slice(0, -1);
        await this.call(`Reading ${noun} ${name}:${version}`, async () => {
            try {
                await this.versions(kind).get(this.rg, this.ws, name, version);
            }
            catch (error) {
                if (!isNotFound(error))
                    throw error;
                const known = await this.recentVersions(kind, name);
                throw new errors/* UserError */.yo(`${noun} ${name} version ${version} does not exist in workspace ${this.ws}` +
                    (known.length > 0
                        ? ` (recent versions: ${known.join(', ')})`
                        : ` (no versions of ${name} are registered)`) +
                    '. Register it first, or fix the reference.');
            }
        });
    }
    /** Newest first, by creation time, then by version number (versions registered in the same instant). */
    async recentVersions(kind, name, top = 5) {
        const versions = [];
        try {
            for await (const item of this.versions(kind).list(this.rg, this.ws, name, { orderBy: 'createdtime desc', top })) {
                versions.push({ name: item.name, created: item.systemData?.createdAt?.getTime() ?? 0 });
                if (versions.length >= top)
                    break;
            }
        }
        catch (error) {
            if (!isNotFound(error))
                throw error;
        }
        const collator = new Intl.Collator('en', { numeric: true });
        return versions.sort((a, b) => b.created - a.created || collator.compare(b.name, a.name)).map((v) => v.name);
    }
    async latestVersion(kind, name) {
        const noun = kind === 'codes' ? 'code' : kind.slice(0, -1);
        const [latest] = await this.call(`Finding the latest version of ${noun} ${name}`, () => this.recentVersions(kind, name, 10));
        if (!latest)
            throw new errors/* UserError */.yo(`${noun} ${name} has no registered versions in workspace ${this.ws}: register one first.`);
        return latest;
    }
}


/***/ }),

/***/ 1791:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   cn: () => (/* binding */ assetVersionId),
/* harmony export */   hf: () => (/* binding */ registryAssetId)
/* harmony export */ });
/* unused harmony exports parseAssetRef, formatAssetRef, workspaceId */

const NAME = '[A-Za-z0-9][A-Za-z0-9_.-]*';
const VERSION = '[A-Za-z0-9_.-]+';
function parseAssetRef(text, kind, options = {}) {
    const value = text.trim();
    const noun = kind === 'codes' ? 'code' : kind.slice(0, -1);
    const examples = `'azureml:<name>:<version>', 'azureml:<name>@latest'` +
        (kind === 'codes' ? '' : ` or 'azureml://registries/<registry>/${kind}/<name>/versions/<version>'`);
    const registry = new RegExp(`^azureml://registries/(${NAME})/${kind}/(${NAME})/(versions|labels)/(${VERSION})$`).exec(value);
    if (registry) {
        const [, reg, name, which, last] = registry;
        return which === 'versions'
            ? { type: 'registry', registry: reg, name, version: last }
            : { type: 'registry-label', registry: reg, name, label: last };
    }
    const armId = new RegExp(`^(?:azureml:)?(/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.MachineLearningServices/workspaces/[^/]+/${kind}/(${NAME})/versions/(${VERSION}))$`, 'i').exec(value);
    if (armId)
        return { type: 'arm-id', id: armId[1], name: armId[2], version: armId[3] };
    const hasPrefix = value.startsWith('azureml:');
    if (!hasPrefix && options.requirePrefix) {
        throw new UserError(`'${value}' is not a ${noun} reference: write ${examples}.`);
    }
    const short = hasPrefix ? value.slice('azureml:'.length) : value;
    const withVersion = new RegExp(`^(${NAME}):(${VERSION})$`).exec(short);
    if (withVersion)
        return { type: 'workspace', name: withVersion[1], version: withVersion[2] };
    const withLabel = new RegExp(`^(${NAME})@(${VERSION})$`).exec(short);
    if (withLabel)
        return { type: 'workspace-label', name: withLabel[1], label: withLabel[2] };
    if (new RegExp(`^${NAME}$`).test(short)) {
        throw new UserError(`${noun} reference '${value}' has no version: add ':<version>' or '@latest'.`);
    }
    throw new UserError(`'${value}' is not a ${noun} reference: write ${examples}.`);
}
function formatAssetRef(ref) {
    switch (ref.type) {
        case 'workspace':
            return `${ref.name}:${ref.version}`;
        case 'workspace-label':
            return `${ref.name}@${ref.label}`;
        case 'arm-id':
            return `${ref.name}:${ref.version}`;
        case 'registry':
            return `azureml://registries/${ref.registry}/…/${ref.name}/versions/${ref.version}`;
        case 'registry-label':
            return `azureml://registries/${ref.registry}/…/${ref.name}/labels/${ref.label}`;
    }
}
function workspaceId(scope) {
    return (`/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}` +
        `/providers/Microsoft.MachineLearningServices/workspaces/${scope.workspace}`);
}
/** The ARM id of one version of a workspace asset, as deployments reference it. */
function assetVersionId(scope, kind, name, version) {
    return `${workspaceId(scope)}/${kind}/${name}/versions/${version}`;
}
function registryAssetId(registry, kind, name, version) {
    return `azureml://registries/${registry}/${kind}/${name}/versions/${version}`;
}


/***/ })

};
