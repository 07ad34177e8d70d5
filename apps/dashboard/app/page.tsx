export default function Home() {
  return (
    <main>
      <h1>pixelwise</h1>
      <p>
        The dashboard shows runs saved with <code>pixelwise eval --save</code> and{' '}
        <code>pixelwise bench --save</code>. No runs are stored yet: the leaderboard, run pages and
        stage visualizations arrive with the results database.
      </p>
    </main>
  );
}
