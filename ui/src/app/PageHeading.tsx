import { type HTMLAttributes, useEffect, useRef } from 'react';
import { takeNavigationFocus } from './router';

/** Sets the tab's title while the page is shown: `<title> · Casefile`. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title === '' ? 'Casefile' : `${title} · Casefile`;
  }, [title]);
}

/** A field the user (or the page, with `autoFocus`) is already in; focus never leaves it for a heading. */
function inField(el: Element | null): boolean {
  return el instanceof HTMLElement && el.closest('main') !== null && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
}

/**
 * The page's main heading (`h1`). After a navigation it takes focus when it first appears (see
 * `takeNavigationFocus`), unless the user is already typing in a field of the page.
 */
export function PageHeading({ className, children, ...rest }: HTMLAttributes<HTMLHeadingElement>) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const heading = ref.current;
    if (heading === null || !takeNavigationFocus(window.location.pathname)) return;
    if (!inField(document.activeElement)) heading.focus({ preventScroll: true });
  }, []);
  return (
    <h1
      ref={ref}
      tabIndex={-1}
      className={className === undefined ? 'page-heading' : `page-heading ${className}`}
      {...rest}
    >
      {children}
    </h1>
  );
}
