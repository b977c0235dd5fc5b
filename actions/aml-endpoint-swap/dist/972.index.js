export const id = 972;
export const ids = [972];
export const modules = {

/***/ 10972:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   blobServiceUrl: () => (/* binding */ blobServiceUrl),
/* harmony export */   openDefaultDatastore: () => (/* binding */ openDefaultDatastore)
/* harmony export */ });
/* harmony import */ var _azure_storage_blob__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(92338);
/* harmony import */ var _azure_operation_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(21074);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(85736);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(94195);




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
            throw (0,_azure_operation_js__WEBPACK_IMPORTED_MODULE_1__/* .toServiceError */ .N1)(error, `Finding the default datastore of workspace ${name}`);
        }
    })();
    if (datastore === undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`Workspace ${name} has no default datastore, so local files cannot be uploaded: register the assets first and reference them as 'azureml:<name>:<version>'.`);
    }
    const properties = datastore.properties;
    if (properties.datastoreType !== 'AzureBlob' || !properties.accountName || !properties.containerName) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`The default datastore ${datastore.name ?? ''} of workspace ${name} is ${properties.datastoreType}, not Azure Blob storage: this action uploads to blob datastores only.`);
    }
    const serviceUrl = blobServiceUrl(properties.accountName, properties.endpoint ?? 'core.windows.net', properties.protocol ?? 'https');
    let credential;
    let auth;
    if (properties.credentials.credentialsType === 'AccountKey') {
        const secrets = await workspace.client.datastores
            .listSecrets(resourceGroup, name, datastore.name)
            .catch((error) => {
            throw (0,_azure_operation_js__WEBPACK_IMPORTED_MODULE_1__/* .toServiceError */ .N1)(error, `Reading the account key of datastore ${datastore.name ?? ''}`);
        });
        const key = secrets.key;
        (0,_summary_js__WEBPACK_IMPORTED_MODULE_3__/* .maskSecret */ .$l)(key);
        if (!key)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`Datastore ${datastore.name ?? ''} returned no account key.`);
        credential = new _azure_storage_blob__WEBPACK_IMPORTED_MODULE_0__/* .StorageSharedKeyCredential */ .Z3(properties.accountName, key);
        auth = 'account key';
    }
    else {
        if (workspace.credential === undefined)
            throw new Error('no credential for Microsoft Entra ID');
        credential = workspace.credential;
        auth = 'Microsoft Entra ID';
    }
    const service = new _azure_storage_blob__WEBPACK_IMPORTED_MODULE_0__/* .BlobServiceClient */ .wS(serviceUrl, credential, {
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
