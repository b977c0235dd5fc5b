export const id = 648;
export const ids = [648];
export const modules = {

/***/ 22648:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  blobServiceUrl: () => (/* binding */ blobServiceUrl),
  openDefaultDatastore: () => (/* binding */ openDefaultDatastore)
});

// EXTERNAL MODULE: ../../node_modules/@azure/storage-blob/dist/esm/index.js + 146 modules
var esm = __webpack_require__(92338);
// EXTERNAL MODULE: ../../packages/core/src/azure/operation.ts + 1 modules
var operation = __webpack_require__(21074);
// EXTERNAL MODULE: ../../packages/core/src/errors.ts
var errors = __webpack_require__(85736);
;// CONCATENATED MODULE: ../../packages/core/src/transport.ts
/**
 * Where the actions may send tokens and files: over TLS, except to this machine (the tests' and the emulator's
 * loopback servers), where nothing crosses a network.
 */
/** `localhost`, 127.0.0.0/8 and ::1. */
function isLoopbackHost(host) {
    const name = host.replace(/^\[|\]$/g, '').toLowerCase();
    return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
/**
 * Why `url` must not carry a token or data (plain http to another machine, or not http at all); undefined when
 * it may.
 */
function plainTransportProblem(url) {
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        return `'${url}' is not a URL`;
    }
    if (parsed.protocol === 'https:')
        return undefined;
    if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))
        return undefined;
    return `${parsed.protocol}//${parsed.host} is not https: the token and the data would cross the network in clear text`;
}

// EXTERNAL MODULE: ../../packages/core/src/summary.ts
var summary = __webpack_require__(94195);
;// CONCATENATED MODULE: ../../packages/core/src/assets/datastore.ts





function blobServiceUrl(accountName, endpoint, protocol = 'https') {
    const host = endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const ipStyle = /^(\d{1,3}(\.\d{1,3}){3}|localhost|\[[0-9a-f:]+\])(:\d+)?$/i.test(host);
    return ipStyle ? `${protocol}://${host}/${accountName}` : `${protocol}://${accountName}.blob.${host}`;
}
function encodePath(path) {
    return path
        .split('/')
        .map((part) => encodeURIComponent(part))
        .join('/');
}
async function openDefaultDatastore(workspace, options = {}) {
    const { resourceGroup, workspace: name } = workspace.scope;
    const datastore = await (async () => {
        try {
            for await (const item of workspace.client.datastores.list(resourceGroup, name, { isDefault: true }))
                return item;
            return undefined;
        }
        catch (error) {
            throw (0,operation/* toServiceError */.N1)(error, `Finding the default datastore of workspace ${name}`);
        }
    })();
    if (datastore === undefined) {
        throw new errors/* UserError */.yo(`Workspace ${name} has no default datastore, so local files cannot be uploaded: register the assets first and reference them as 'azureml:<name>:<version>'.`);
    }
    const properties = datastore.properties;
    if (properties.datastoreType !== 'AzureBlob' || !properties.accountName || !properties.containerName) {
        throw new errors/* UserError */.yo(`The default datastore ${datastore.name ?? ''} of workspace ${name} is ${properties.datastoreType}, not Azure Blob storage: this action uploads to blob datastores only.`);
    }
    const protocol = properties.protocol ?? 'https';
    const endpoint = properties.endpoint ?? 'core.windows.net';
    const problem = plainTransportProblem(blobServiceUrl(properties.accountName, endpoint, protocol));
    if (problem) {
        throw new errors/* UserError */.yo(`The default datastore ${datastore.name ?? ''} of workspace ${name} uses protocol '${protocol}': ${problem} ` +
            '(the files to upload, and the account key or token). Set its protocol to https ' +
            '(`az ml datastore update` with `protocol: https`, or recreate it), then run again; nothing was uploaded.');
    }
    const serviceUrl = blobServiceUrl(properties.accountName, endpoint, protocol);
    let credential;
    let auth;
    if (properties.credentials.credentialsType === 'AccountKey') {
        const secrets = await workspace.client.datastores
            .listSecrets(resourceGroup, name, datastore.name)
            .catch((error) => {
            throw (0,operation/* toServiceError */.N1)(error, `Reading the account key of datastore ${datastore.name ?? ''}`);
        });
        const key = secrets.key;
        (0,summary/* maskSecret */.$l)(key);
        if (!key)
            throw new errors/* UserError */.yo(`Datastore ${datastore.name ?? ''} returned no account key.`);
        credential = new esm/* StorageSharedKeyCredential */.Z3(properties.accountName, key);
        auth = 'account key';
    }
    else {
        if (workspace.credential === undefined)
            throw new Error('no credential for Microsoft Entra ID');
        credential = workspace.credential;
        auth = 'Microsoft Entra ID';
    }
    const service = new esm/* BlobServiceClient */.wS(serviceUrl, credential, {
        retryOptions: {
            maxTries: options.retry?.maxTries ?? 4,
            retryDelayInMs: options.retry?.retryDelayInMs ?? 1000,
            maxRetryDelayInMs: options.retry?.maxRetryDelayInMs ?? 30_000,
        },
        userAgentOptions: { userAgentPrefix: 'mlops-actions' },
    });
    const container = service.getContainerClient(properties.containerName);
    const { subscriptionId } = workspace.scope;
    const datastoreName = datastore.name;
    return {
        name: datastoreName,
        accountName: properties.accountName,
        containerName: properties.containerName,
        serviceUrl,
        auth,
        container,
        url: (path) => `${serviceUrl}/${properties.containerName}/${encodePath(path)}`,
        datastoreUri: (path) => `azureml://subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/workspaces/${name}/datastores/${datastoreName}/paths/${path}`,
    };
}


/***/ })

};
