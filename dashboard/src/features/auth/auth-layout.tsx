import { motion } from 'motion/react';
import type { ReactNode } from 'react';
import { Logo } from '../../ui/logo';
import styles from './auth-layout.module.css';

/** The centred frame of the signed-out pages (sign in, first-run setup). */
export function AuthLayout({
  title,
  subtitle,
  children,
  footer,
  wide = false,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  return (
    <div className={styles.page}>
      <motion.main
        className={`${styles.card} ${wide ? styles.wide : ''}`}
        initial={{ opacity: 0, y: 10 }}
        animate={{ opacity: 1, y: 0 }}
        transition={{ duration: 0.28, ease: [0.2, 0, 0, 1] }}
      >
        <div className={styles.brand}>
          <Logo />
        </div>
        <header className={styles.header}>
          <h1 className={styles.title}>{title}</h1>
          {subtitle && <p className={styles.subtitle}>{subtitle}</p>}
        </header>
        {children}
      </motion.main>
      {footer && <footer className={styles.footer}>{footer}</footer>}
    </div>
  );
}
