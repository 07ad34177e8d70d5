import type { ReactNode } from 'react';

export const metadata = {
  title: 'pixelwise dashboard',
  description: 'Leaderboard, per-class IoU, FPS and stage visualizations for pixelwise runs',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem' }}>{children}</body>
    </html>
  );
}
