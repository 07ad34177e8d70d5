/** What a page shows instead of data: an empty database, a database it cannot read, a bad parameter. */
export function EmptyState({ database }: { database: string }) {
  return (
    <section className="empty" data-testid="empty-state">
      <h1>No runs yet</h1>
      <p>
        The database <code>{database}</code> has no saved runs. Save the first one from the command line (same <code>DATABASE_URL</code>), then reload:
      </p>
      <pre>
        {`pnpm pixelwise data synth --out data --count 64 --size 64x64 --classes 4
pnpm pixelwise train --model fcn8s-lite --data data --epochs 2 --size 64x64 --save
pnpm pixelwise bench --model fcn8s-lite --size 64x64 --save
# or evaluate predictions you already have:
pnpm pixelwise eval --pred PRED_DIR --gt GT_DIR --num-classes C --model NAME --save`}
      </pre>
      <p>
        <code>pnpm pixelwise runs import FILE.json</code> saves a run from an <code>eval --json</code> file.
      </p>
    </section>
  );
}

export function DbError({ message }: { message: string }) {
  return (
    <section className="error" data-testid="db-error">
      <h1>Cannot read the results database</h1>
      <p>{message}</p>
      <p>
        The dashboard reads <code>DATABASE_URL</code> (default <code>~/.pixelwise/pixelwise.db</code>); <code>pixelwise dashboard</code> passes on the CLI&apos;s.
      </p>
    </section>
  );
}

export function BadRequest({ message }: { message: string }) {
  return (
    <section className="error" data-testid="bad-request">
      <h1>Bad request</h1>
      <p>{message}</p>
    </section>
  );
}
