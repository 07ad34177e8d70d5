/* global module */
/**
 * The dependency rule of docs/ARCHITECTURE.md, checked by `pnpm lint`:
 *   core <- eval, models <- video <- cli / dashboard;  db only from cli / dashboard;
 *   heads never import segmentors; no package reaches into another's src/; no import circles.
 * A workspace import resolves to the package's built files (packages/x/dist) or, before a build,
 * stays its bare name (@pixelwise/x); each rule matches both.
 */
const pkg = (name, dir) => `^(packages/${dir}/|@pixelwise/${name}($|/))`;
const CORE = pkg('core', 'core');
const EVAL = pkg('eval', 'eval');
const MODELS = pkg('models', 'models');
const VIDEO = pkg('video', 'video');
const DB = pkg('db', 'db');
const APPS = '^(apps/|pixelwise$)';

/** `from` (a package's source) must not import any of `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import circles make load order matter and hide which module owns what (a circle through type-only imports has no load order and is allowed).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    forbid('core-depends-on-nothing', 'core is the bottom of the stack.', '^packages/core/src/', `${EVAL}|${MODELS}|${VIDEO}|${DB}|${APPS}`),
    forbid('eval-only-on-core', 'eval runs without TensorFlow.js: it may use core (its io subpath) only.', '^packages/eval/src/', `${MODELS}|${VIDEO}|${DB}|${APPS}`),
    forbid('models-on-core-and-eval', 'models may use core and eval only.', '^packages/models/src/', `${VIDEO}|${DB}|${APPS}`),
    forbid('video-on-models', 'video may use core, eval and models only.', '^packages/video/src/', `${DB}|${APPS}`),
    forbid('db-only-from-apps', 'db is used by the CLI and the dashboard only, and uses no other package.', '^packages/db/src/', `${CORE}|${EVAL}|${MODELS}|${VIDEO}|${APPS}`),
    forbid('heads-never-import-segmentors', 'A head is a part of a segmentor: the arrow points from segmentors to heads.', '^packages/models/src/heads/', '^packages/models/src/segmentors/'),
    forbid('layers-and-backbones-below-heads', 'Layers and backbones are below heads and segmentors.', '^packages/models/src/(layers|backbones)/', '^packages/models/src/(heads|segmentors)/'),
    {
      name: 'no-reaching-into-src',
      comment: "Packages use each other only through their public exports, never another package's src/.",
      severity: 'error',
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { path: '^(packages|apps)/([^/]+)/src/', pathNot: ['^$1/$2/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.next|generated|node_modules)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs'] },
    tsConfig: { fileName: 'tsconfig.base.json' },
  },
};
