import type { ReactNode } from 'react';
import './globals.css';

export const metadata = {
  title: 'pixelwise dashboard',
  description: 'Leaderboard, per-class IoU, FPS and stage visualizations for pixelwise runs',
};

export default function RootLayout({ children }: { children: ReactNode }) {
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
            <a href="/api">JSON API</a>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
