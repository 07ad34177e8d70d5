import type { ReactNode } from 'react';
import { connection } from 'next/server';
import './globals.css';

export const metadata = {
  title: 'pixelwise dashboard',
  description: 'Leaderboard, per-class IoU, FPS and stage visualizations for pixelwise runs',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, so each gets the nonce of its content security policy (src/proxy.ts).
  await connection();
  return (
    <html lang="en">
      <body>
        <header className="top">
          <a href="/" className="brand">
            pixelwise
          </a>
          <nav>
            <a href="/">Leaderboard</a>
            <a href="/compare">Compare</a>
            <a href="/sweeps">Sweeps</a>
            <a href="/api">JSON API</a>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
