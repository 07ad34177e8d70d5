export default function NotFound() {
  return (
    <section className="error" data-testid="not-found">
      <h1>Not found</h1>
      <p>
        No such page or run. <a href="/">Back to the leaderboard</a>.
      </p>
    </section>
  );
}
