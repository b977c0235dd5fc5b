export const id = 603;
export const ids = [603];
export const modules = {

/***/ 1603:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  prepareLocalAssets: () => (/* binding */ prepareLocalAssets),
  resolveLocalAssets: () => (/* binding */ resolveLocalAssets)
});

// UNUSED EXPORTS: ANONYMOUS_ENVIRONMENT, MODEL_HASH_PROPERTY, anonymousEnvironmentVersion

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ../../packages/core/src/azure/asset-ref.ts
var asset_ref = __webpack_require__(1791);
// EXTERNAL MODULE: ../../packages/core/src/azure/operation.ts + 1 modules
var operation = __webpack_require__(1074);
// EXTERNAL MODULE: ../../packages/core/src/errors.ts
var errors = __webpack_require__(5736);
// EXTERNAL MODULE: ../../packages/core/src/files.ts
var src_files = __webpack_require__(6824);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(4379);
// EXTERNAL MODULE: ../../packages/core/node_modules/ignore/index.js
var ignore = __webpack_require__(5404);
var ignore_default = /*#__PURE__*/__webpack_require__.n(ignore);
;// CONCATENATED MODULE: ../../packages/core/src/assets/snapshot.ts







/**
 * What of a local folder (or file) goes to the workspace, and its fingerprints, computed the way the Azure ML CLI
 * (azure-ai-ml) does:
 *
 * - the ignore file is `.amlignore` in the folder's root, else `.gitignore` there (`.amlignore` wins; only the root
 *   one counts), with gitignore semantics; the ignore file itself is uploaded unless it ignores itself;
 * - `contentHash` is the CLI's `get_content_hash` (hash version 202208): SHA-256 over the file count, then
 *   `#<relative path>#<size>` of every file sorted by lower-cased path, then every file's bytes in that order;
 * - `objectHash` is the CLI's `get_object_hash` (MD5 seeded with "Initialize for october 2021 AML CLI version"):
 *   per folder, entries sorted by lower-cased path, each entry's name then its bytes (or its folder, recursively).
 *   It names the upload folder `LocalUpload/<objectHash>/<name>`.
 *
 * Symbolic links are followed (as the CLI's os.walk(followlinks=True)); a link cycle is an error, and so, when a
 * `root` is given, is a link that leads out of it (nothing outside the repository is uploaded).
 */
const CONTENT_HASH_VERSION = '202208';
const OBJECT_HASH_SEED = 'Initialize for october 2021 AML CLI version';
function loadRules(root) {
    for (const file of ['.amlignore', '.gitignore']) {
        const path = (0,external_node_path_.join)(root, file);
        if ((0,external_node_fs_.existsSync)(path))
            return { file, matcher: ignore_default()().add((0,external_node_fs_.readFileSync)(path, 'utf8')) };
    }
    return { file: undefined, matcher: undefined };
}
/** Reads the tree under `path` (no file contents yet). */
function snapshot_snapshot(path, what, root) {
    if (!(0,external_node_fs_.existsSync)(path))
        throw new errors/* UserError */.yo(`${what}: ${path} does not exist.`);
    const contained = (entry) => {
        if (root !== undefined && !(0,src_files/* isInside */.FK)((0,external_node_fs_.realpathSync)(entry), (0,external_node_fs_.realpathSync)(root)))
            throw new errors/* UserError */.yo(`${what}: ${entry} is a symbolic link to ${(0,external_node_fs_.realpathSync)(entry)}, outside the repository: nothing outside it is uploaded. Replace the link with the files, or leave it out with .amlignore.`);
    };
    contained(path);
    const rootStat = (0,external_node_fs_.statSync)(path);
    if (rootStat.isFile()) {
        return {
            path,
            name: (0,external_node_path_.basename)(path),
            isFile: true,
            files: [{ absolute: path, relative: (0,external_node_path_.basename)(path), size: rootStat.size }],
            ignored: [],
            ignoreFile: undefined,
            bytes: rootStat.size,
        };
    }
    const rules = loadRules(path);
    const files = [];
    const ignored = [];
    const seen = new Set();
    const walk = (folder, prefix) => {
        const real = (0,external_node_fs_.realpathSync)(folder);
        if (seen.has(real))
            throw new errors/* UserError */.yo(`${what}: ${folder} is part of a symbolic link cycle.`);
        seen.add(real);
        for (const entry of (0,external_node_fs_.readdirSync)(folder)) {
            const absolute = (0,external_node_path_.join)(folder, entry);
            const relative = prefix === '' ? entry : `${prefix}/${entry}`;
            const stats = (0,external_node_fs_.statSync)(absolute);
            if (stats.isDirectory()) {
                if (rules.matcher?.ignores(`${relative}/`))
                    ignored.push(`${relative}/`);
                else {
                    contained(absolute);
                    walk(absolute, relative);
                }
            }
            else if (stats.isFile()) {
                if (rules.matcher?.ignores(relative))
                    ignored.push(relative);
                else {
                    contained(absolute);
                    files.push({ absolute, relative, size: stats.size });
                }
            }
        }
        seen.delete(real);
    };
    walk(path, '');
    if (files.length === 0) {
        throw new errors/* UserError */.yo(`${what}: ${path} has no files to upload${ignored.length > 0 ? ` (${rules.file} leaves out ${ignored.join(', ')})` : ''}.`);
    }
    const byPath = (a, b) => a.relative.toLowerCase() < b.relative.toLowerCase()
        ? -1
        : a.relative.toLowerCase() > b.relative.toLowerCase()
            ? 1
            : 0;
    files.sort(byPath);
    return {
        path,
        name: (0,external_node_path_.basename)(path),
        isFile: false,
        files,
        ignored: ignored.sort(),
        ignoreFile: rules.file,
        bytes: files.reduce((sum, file) => sum + file.size, 0),
    };
}
async function feed(hash, file) {
    for await (const chunk of (0,external_node_fs_.createReadStream)(file))
        hash.update(chunk);
}
/** The CLI's `get_content_hash` (SHA-256, hash version 202208). */
async function contentHash(snap) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    hash.update(String(snap.files.length));
    for (const file of snap.files) {
        hash.update(`#${file.relative}#`);
        hash.update(String(file.size));
    }
    for (const file of snap.files)
        await feed(hash, file.absolute);
    return hash.digest('hex');
}
/** The CLI's `get_object_hash` (MD5), over the files the snapshot keeps. */
async function objectHash(snap) {
    const hash = (0,external_node_crypto_.createHash)('md5');
    hash.update(OBJECT_HASH_SEED);
    if (snap.isFile) {
        await feed(hash, snap.path);
        return hash.digest('hex');
    }
    const tree = { files: new Map(), folders: new Map() };
    for (const file of snap.files) {
        const parts = file.relative.split('/');
        let folder = tree;
        for (const part of parts.slice(0, -1)) {
            let next = folder.folders.get(part);
            if (next === undefined) {
                next = { files: new Map(), folders: new Map() };
                folder.folders.set(part, next);
            }
            folder = next;
        }
        folder.files.set(parts.at(-1) ?? '', file);
    }
    const visit = async (folder) => {
        const names = [...folder.files.keys(), ...folder.folders.keys()].sort((a, b) => a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);
        for (const name of names) {
            hash.update(name);
            const file = folder.files.get(name);
            if (file !== undefined)
                await feed(hash, file.absolute);
            else
                await visit(folder.folders.get(name));
        }
    };
    await visit(tree);
    return hash.digest('hex');
}
function md5(text) {
    return (0,external_node_crypto_.createHash)('md5').update(text, 'utf8').digest('hex');
}
function sha256(text) {
    return (0,external_node_crypto_.createHash)('sha256').update(text, 'utf8').digest('hex');
}

;// CONCATENATED MODULE: ../../packages/core/src/assets/upload.ts

/**
 * Uploads a snapshot to `LocalUpload/<hash>/<name>/…` in the default datastore, as the Azure ML CLI does: the first
 * blob is the "indicator"; once every file is up it gets the metadata `upload_status=completed` (with the asset's
 * name and version), and an upload whose indicator carries it is complete and is not repeated. A half-finished
 * upload has no such metadata and is overwritten by the next one. Files larger than one block go in blocks, with a
 * progress line.
 */
const ARTIFACT_ORIGIN = 'LocalUpload';
const MIB = 1024 * 1024;
function formatBytes(bytes) {
    if (bytes < 1024)
        return `${bytes} B`;
    if (bytes < MIB)
        return `${(bytes / 1024).toFixed(1)} KiB`;
    return `${(bytes / MIB).toFixed(1)} MiB`;
}
function remotePathOf(hash, snap) {
    return `${ARTIFACT_ORIGIN}/${hash}/${snap.name}`;
}
async function uploadSnapshot(access, snap, hash, asset, options) {
    const remotePath = remotePathOf(hash, snap);
    const blobName = (relative) => (snap.isFile ? remotePath : `${remotePath}/${relative}`);
    const indicator = access.container.getBlockBlobClient(blobName(snap.files[0]?.relative ?? ''));
    const where = `${access.accountName}/${access.containerName}/${remotePath}`;
    const metadata = await indicator.getProperties().then((properties) => properties.metadata ?? {}, (error) => {
        if (error.statusCode === 404)
            return undefined;
        throw (0,operation/* toServiceError */.N1)(error, `Checking ${where} in datastore ${access.name}`);
    });
    if (metadata?.['upload_status'] === 'completed') {
        return { remotePath, uploaded: false, files: snap.files.length, bytes: snap.bytes };
    }
    const maxSingleShotSize = options.maxSingleShotSize ?? 8 * MIB;
    const blockSize = options.blockSize ?? 4 * MIB;
    const everyMs = options.progressEveryMs ?? 10_000;
    options.log(`Uploading ${snap.files.length} file(s), ${formatBytes(snap.bytes)}, to ${where} (datastore ${access.name}, ${access.auth}).`);
    for (const file of snap.files) {
        const client = access.container.getBlockBlobClient(blobName(file.relative));
        const large = file.size > maxSingleShotSize;
        let lastLine = Date.now();
        if (large) {
            options.log(`  ${file.relative}: ${formatBytes(file.size)} in ${Math.ceil(file.size / blockSize)} blocks of ${formatBytes(blockSize)}`);
        }
        try {
            await client.uploadFile(file.absolute, {
                maxSingleShotSize,
                blockSize,
                concurrency: options.concurrency ?? 4,
                onProgress: large
                    ? ({ loadedBytes }) => {
                        const now = Date.now();
                        if (now - lastLine < everyMs && loadedBytes < file.size)
                            return;
                        lastLine = now;
                        options.log(`  ${file.relative}: ${formatBytes(loadedBytes)} of ${formatBytes(file.size)} (${Math.floor((100 * loadedBytes) / file.size)} %)`);
                    }
                    : undefined,
            });
        }
        catch (error) {
            throw (0,operation/* toServiceError */.N1)(error, `Uploading ${file.relative} to ${where}`);
        }
    }
    try {
        await indicator.setMetadata({ upload_status: 'completed', name: asset.name, version: asset.version });
    }
    catch (error) {
        throw (0,operation/* toServiceError */.N1)(error, `Confirming the upload of ${where}`);
    }
    return { remotePath, uploaded: true, files: snap.files.length, bytes: snap.bytes };
}

;// CONCATENATED MODULE: ../../packages/core/src/assets/local-assets.ts







/**
 * Local assets of a deployment file — a `code_configuration.code` folder, an inline environment (`image` with an
 * optional `conda_file`, or `build.path` as a Docker context) and a model given by a local `path` — uploaded and
 * registered as the Azure ML CLI does, and skipped when already there:
 *
 * - code: anonymous, named by its content hash (`get_content_hash`, also kept in its `hash_sha256` property),
 *   version 1; looked up first, so unchanged code makes no upload and no registration;
 * - environment: anonymous `CliV2AnonymousEnvironment`, version the CLI's MD5 over image, inference config and conda
 *   file (or over the build context's hash and Dockerfile path); a build context is uploaded like code;
 * - model: its `name`/`version` when the file gives them; without a name, anonymous, named SHA-256 of the upload hash,
 *   version 1 (as the CLI); with a name and no version, the version whose content hash matches, else the next one.
 *
 * `prepareLocalAssets` reads and hashes files only (no Azure call); `resolveLocalAssets` looks versions up and, unless
 * `dryRun`, uploads what is missing and registers it only once its upload is complete.
 */
const ANONYMOUS_ENVIRONMENT = 'CliV2AnonymousEnvironment';
/** Property of model versions this action registers: the upload hash of their files. */
const MODEL_HASH_PROPERTY = 'mlops-actions.upload-hash';
/** The CLI's `_generate_anonymous_name_version` (including its `str.join` quirk, which it keeps for stability). */
function anonymousEnvironmentVersion(source) {
    let text;
    const join = (separator, value) => [...value].join(separator);
    if ('image' in source) {
        text = md5(source.image);
        if (source.inferenceConfig !== undefined)
            text = join(text, md5(stableJson(source.inferenceConfig)));
        if (source.condaFile !== undefined)
            text = join(text, md5(source.condaFile));
    }
    else {
        text = md5(source.uploadHash);
        if (source.dockerfilePath !== undefined)
            text = join(text, md5(source.dockerfilePath));
    }
    return md5(text);
}
function stableJson(value) {
    if (Array.isArray(value))
        return `[${value.map(stableJson).join(',')}]`;
    if (value !== null && typeof value === 'object') {
        return `{${Object.keys(value)
            .sort()
            .map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`)
            .join(',')}}`;
    }
    return JSON.stringify(value);
}
function inferenceConfigToArm(config) {
    const routes = config;
    if (!routes)
        return undefined;
    return {
        livenessRoute: routes['liveness_route'],
        readinessRoute: routes['readiness_route'],
        scoringRoute: routes['scoring_route'],
    };
}
/**
 * Reads and hashes the local files of a deployment file; no Azure call. With `root` (the checked-out repository),
 * a symbolic link inside a folder that leads out of it is refused: nothing outside the repository is uploaded.
 */
async function prepareLocalAssets(spec, modelOverridden, root) {
    const prepared = {};
    const where = (field) => `${spec.file}: ${field}`;
    const snapshot = (path, what) => snapshot_snapshot(path, what, root);
    if (spec.code?.kind === 'local') {
        const snap = snapshot(spec.code.path, where('code_configuration.code'));
        if (snap.isFile) {
            throw new errors/* UserError */.yo(`${where('code_configuration.code')} must be a folder (the one that holds the scoring script), not a file.`);
        }
        if (spec.scoringScript && !snap.files.some((file) => file.relative === spec.scoringScript?.replace(/^\.\//, ''))) {
            throw new errors/* UserError */.yo(`${where('code_configuration.scoring_script')} ${spec.scoringScript} is not in ${(0,src_files/* displayPath */.Gt)(spec.code.path)}` +
                `${snap.ignored.length > 0 ? ` (or ${snap.ignoreFile} leaves it out)` : ''}.`, { file: spec.file });
        }
        prepared.code = { snap, contentHash: await contentHash(snap), uploadHash: await objectHash(snap) };
    }
    const env = spec.environment;
    if (env?.kind === 'inline') {
        const anonymous = env.name === undefined && env.version === undefined;
        if (!anonymous && (env.name === undefined || env.version === undefined)) {
            throw new errors/* UserError */.yo(`${where('environment')}: give both 'name' and 'version', or neither (an anonymous environment).`);
        }
        let condaFile;
        if (env.condaFile !== undefined) {
            try {
                condaFile = (0,external_node_fs_.readFileSync)(env.condaFile, 'utf8');
            }
            catch {
                throw new errors/* UserError */.yo(`${where('environment.conda_file')} ${(0,src_files/* displayPath */.Gt)(env.condaFile)} cannot be read.`, {
                    file: spec.file,
                });
            }
        }
        const inferenceConfig = inferenceConfigToArm(env.inferenceConfig);
        let build;
        if (env.build) {
            const snap = snapshot(env.build.path, where('environment.build.path'));
            build = {
                snap,
                uploadHash: await objectHash(snap),
                ...(env.build.dockerfilePath !== undefined && { dockerfilePath: env.build.dockerfilePath }),
            };
        }
        const version = anonymous
            ? build
                ? anonymousEnvironmentVersion({ uploadHash: build.uploadHash, dockerfilePath: build.dockerfilePath })
                : anonymousEnvironmentVersion({ image: env.image ?? '', inferenceConfig: env.inferenceConfig, condaFile })
            : env.version;
        prepared.environment = {
            name: anonymous ? ANONYMOUS_ENVIRONMENT : env.name,
            version,
            anonymous,
            properties: {
                ...(env.image !== undefined && { image: env.image }),
                ...(condaFile !== undefined && { condaFile }),
                ...(env.osType !== undefined && { osType: env.osType }),
                ...(inferenceConfig !== undefined && { inferenceConfig }),
                ...(env.description !== undefined && { description: env.description }),
            },
            tags: env.tags,
            ...(build && { build }),
            source: (0,src_files/* displayPath */.Gt)(env.build?.path ?? env.condaFile ?? spec.file),
        };
    }
    if (spec.model?.kind === 'local' && !modelOverridden) {
        const model = spec.model;
        const snap = snapshot(model.path, where('model.path'));
        const uploadHash = await objectHash(snap);
        const anonymous = model.name === undefined;
        prepared.model = {
            snap,
            uploadHash,
            name: anonymous ? sha256(uploadHash) : model.name,
            version: anonymous ? '1' : model.version,
            anonymous,
            type: model.type ?? 'custom_model',
            description: model.description,
            tags: model.tags,
        };
    }
    return prepared;
}
function isNotFound(error) {
    return error?.statusCode === 404;
}
function versions(workspace, kind) {
    const { client } = workspace;
    return (kind === 'codes'
        ? client.codeVersions
        : kind === 'environments'
            ? client.environmentVersions
            : client.modelVersions);
}
async function findVersion(workspace, kind, name, version) {
    const { resourceGroup, workspace: ws } = workspace.scope;
    try {
        return await versions(workspace, kind).get(resourceGroup, ws, name, version);
    }
    catch (error) {
        if (isNotFound(error))
            return undefined;
        throw (0,operation/* toServiceError */.N1)(error, `Looking up ${kind.replace(/s$/, '')} ${name}:${version}`);
    }
}
async function register(workspace, kind, name, version, body) {
    const { resourceGroup, workspace: ws } = workspace.scope;
    try {
        await versions(workspace, kind).createOrUpdate(resourceGroup, ws, name, version, body);
    }
    catch (error) {
        throw (0,operation/* toServiceError */.N1)(error, `Registering ${kind.replace(/s$/, '')} ${name}:${version}`);
    }
}
/** A model name without a version: the version already holding these files, else the next version number. */
async function modelVersionFor(workspace, model) {
    const { resourceGroup, workspace: ws } = workspace.scope;
    try {
        for await (const item of workspace.client.modelVersions.list(resourceGroup, ws, model.name, {
            orderBy: 'createdtime desc',
            top: 100,
        })) {
            if (item.properties.properties?.[MODEL_HASH_PROPERTY] === model.uploadHash)
                return { version: item.name, exists: true };
        }
        const container = await workspace.client.modelContainers.get(resourceGroup, ws, model.name);
        return {
            version: container.properties.nextVersion ?? String(Number(container.properties.latestVersion ?? 0) + 1),
            exists: false,
        };
    }
    catch (error) {
        if (isNotFound(error))
            return { version: '1', exists: false };
        throw (0,operation/* toServiceError */.N1)(error, `Finding the versions of model ${model.name}`);
    }
}
async function resolveLocalAssets(workspace, prepared, options) {
    const result = { outcomes: [] };
    let access;
    // The storage SDK is loaded only when something has to be uploaded.
    const datastore = async () => (access ??= await (await Promise.all(/* import() */[__webpack_require__.e(194), __webpack_require__.e(198), __webpack_require__.e(508), __webpack_require__.e(338), __webpack_require__.e(648)]).then(__webpack_require__.bind(__webpack_require__, 2648))).openDefaultDatastore(workspace, { retry: options.retry }));
    const id = (kind, name, version) => (0,asset_ref/* assetVersionId */.cn)(workspace.scope, kind, name, version);
    const outcome = (kind, name, version, action, snap, uploaded, source) => {
        const item = {
            kind,
            name,
            version,
            id: id(kind === 'code' ? 'codes' : kind === 'environment' ? 'environments' : 'models', name, version),
            action,
            uploaded,
            files: snap?.files.length ?? 0,
            bytes: snap?.bytes ?? 0,
            ignored: snap?.ignored ?? [],
            ignoreFile: snap?.ignoreFile,
            source,
        };
        result.outcomes.push(item);
        const files = snap
            ? ` (${snap.files.length} file(s), ${formatBytes(snap.bytes)}${snap.ignored.length > 0 ? `; ${snap.ignoreFile} leaves out ${snap.ignored.length}` : ''})`
            : '';
        const said = {
            reused: 'already registered: nothing uploaded',
            registered: uploaded ? 'uploaded and registered' : snap ? 'files already uploaded; registered' : 'registered',
            'would register': snap
                ? 'not registered: a deploy would upload and register it'
                : 'not registered: a deploy would register it',
        }[action];
        options.log(`${kind} ${name}:${version} from ${source}${files}: ${said}.`);
        return item;
    };
    const upload = async (snap, hash, name, version) => uploadSnapshot(await datastore(), snap, hash, { name, version }, { ...options.upload, log: options.log });
    if (prepared.code) {
        const { snap, contentHash: hash, uploadHash } = prepared.code;
        const source = (0,src_files/* displayPath */.Gt)(snap.path);
        if (await findVersion(workspace, 'codes', hash, '1')) {
            outcome('code', hash, '1', 'reused', snap, false, source);
        }
        else if (options.dryRun) {
            outcome('code', hash, '1', 'would register', snap, false, source);
        }
        else {
            const sent = await upload(snap, uploadHash, hash, '1');
            await register(workspace, 'codes', hash, '1', {
                properties: {
                    codeUri: (await datastore()).url(sent.remotePath),
                    isAnonymous: true,
                    properties: { hash_sha256: hash, hash_version: CONTENT_HASH_VERSION },
                },
            });
            outcome('code', hash, '1', 'registered', snap, sent.uploaded, source);
        }
        result.codeId = id('codes', hash, '1');
    }
    if (prepared.environment) {
        const env = prepared.environment;
        const existing = await findVersion(workspace, 'environments', env.name, env.version);
        if (existing && !env.anonymous) {
            const live = existing.properties;
            const differs = ['image', 'condaFile'].filter((field) => env.properties[field] !== live[field] && !env.build);
            if (differs.length > 0) {
                throw new errors/* UserError */.yo(`Environment ${env.name}:${env.version} is already registered with a different ${differs.join(' and ')}: versions cannot change; give the environment a new version (or drop name and version for an anonymous one).`);
            }
        }
        if (existing) {
            outcome('environment', env.name, env.version, 'reused', env.build?.snap, false, env.source);
        }
        else if (options.dryRun) {
            outcome('environment', env.name, env.version, 'would register', env.build?.snap, false, env.source);
        }
        else {
            let build;
            let uploaded = false;
            if (env.build) {
                const sent = await upload(env.build.snap, env.build.uploadHash, env.name, env.version);
                uploaded = sent.uploaded;
                build = {
                    // The CLI ends the context URI with '/', which the service requires.
                    contextUri: `${(await datastore()).url(sent.remotePath)}/`,
                    ...(env.build.dockerfilePath !== undefined && { dockerfilePath: env.build.dockerfilePath }),
                };
            }
            await register(workspace, 'environments', env.name, env.version, {
                properties: {
                    ...env.properties,
                    ...(build && { build }),
                    ...(Object.keys(env.tags).length > 0 && { tags: env.tags }),
                    ...(env.anonymous && { isAnonymous: true }),
                },
            });
            outcome('environment', env.name, env.version, 'registered', env.build?.snap, uploaded, env.source);
        }
        result.environmentId = id('environments', env.name, env.version);
    }
    if (prepared.model) {
        const model = prepared.model;
        const source = (0,src_files/* displayPath */.Gt)(model.snap.path);
        let version = model.version;
        let exists;
        if (version === undefined) {
            ({ version, exists } = await modelVersionFor(workspace, model));
        }
        else {
            const found = await findVersion(workspace, 'models', model.name, version);
            exists = found !== undefined;
            const hash = found?.properties['properties']?.[MODEL_HASH_PROPERTY];
            if (found && !model.anonymous && hash !== undefined && hash !== model.uploadHash) {
                throw new errors/* UserError */.yo(`Model ${model.name}:${version} is already registered with other files than ${source}: versions cannot change; give the model a new version (or leave the version out to get the next one).`);
            }
        }
        if (exists) {
            outcome('model', model.name, version, 'reused', model.snap, false, source);
        }
        else if (options.dryRun) {
            outcome('model', model.name, version, 'would register', model.snap, false, source);
        }
        else {
            const sent = await upload(model.snap, model.uploadHash, model.name, version);
            await register(workspace, 'models', model.name, version, {
                properties: {
                    modelUri: (await datastore()).datastoreUri(remotePathOf(model.uploadHash, model.snap)),
                    modelType: model.type,
                    ...(model.description !== undefined && { description: model.description }),
                    ...(Object.keys(model.tags).length > 0 && { tags: model.tags }),
                    properties: { [MODEL_HASH_PROPERTY]: model.uploadHash },
                    ...(model.anonymous && { isAnonymous: true }),
                },
            });
            outcome('model', model.name, version, 'registered', model.snap, sent.uploaded, source);
        }
        result.model = { id: id('models', model.name, version), name: model.name, version };
    }
    return result;
}


/***/ })

};
