/** @parley/ext: write an extension service (in progress). */
export {};
