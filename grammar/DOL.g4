// grammar/DOL.g4: the grammar of DOL as dolc reads it (../shared/spec/language.md).
//
// One grammar for the three dialects (v0.8, RFC, early 2.0) and the rest of
// DOL, mixed freely. Design choices:
//  * Whitespace and newlines are skipped. DOL separates fields, sentences and
//    statements by newlines; where that matters (property sentences, trailing
//    annotations, `return` without a value) a semantic predicate compares the
//    line of the next token with the previous one (sameLine()).
//  * Keywords are tokens but only reserved where they begin a construct: the
//    `ident` rule accepts every keyword, so a field may be called `state`,
//    `type` or `from`.
//  * Qualified names (`message.chat`) must be written without spaces around
//    the dots (adjacent()); that keeps `forall x: Account. x.balance >= 0`
//    unambiguous.
//  * docs/exegesis blocks are single tokens holding balanced braces, so their
//    free text (code samples included) never reaches the parser.
//  * The driver (compiler/parse) splits a file into top-level declarations
//    before parsing, and parses each one with the `declaration` entry rule;
//    that is how a syntax error stays local to its declaration.
grammar DOL;

// AT_LEAD: an `@` that starts a line and begins an annotation (not a
// version). The lexer never makes it: compiler/parse retypes such `@`
// tokens before parsing (retype_leading_annotations), so that a field's
// trailing-annotation loop (`has x: T` then `@crdt(..)` on the next line)
// is decided by one token instead of a predicate that ANTLR's prediction
// evaluated only after scanning to the end of the gene: 5,000 fields took
// 10 s to parse, quadratically.
tokens { AT_LEAD }

@lexer::members {
  // True when only blanks and then a line end, a comment, a closing bracket,
  // `,` or `;` follow: the `return` just matched returns no value.
  bool bareReturnAhead() {
    size_t i = 1;
    while (_input->LA(i) == ' ' || _input->LA(i) == '\t') ++i;
    size_t c = _input->LA(i);
    if (c == static_cast<size_t>(antlr4::Token::EOF) || c == '\n' || c == '\r' || c == '}' || c == ')' || c == ']' ||
        c == ',' || c == ';')
      return true;
    if (c == '/' && (_input->LA(i + 1) == '/' || _input->LA(i + 1) == '*')) return true;
    if (c == '#' && _input->LA(i + 1) != '[') return true;
    if (c == '-' && _input->LA(i + 1) == '-') {
      size_t d = _input->LA(i + 2);
      return d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == static_cast<size_t>(antlr4::Token::EOF);
    }
    return false;
  }
}

@parser::members {
  // True when the next token starts on the line where the previous one ended.
  bool sameLine() {
    antlr4::Token* prev = _input->LT(-1);
    antlr4::Token* next = _input->LT(1);
    if (prev == nullptr || next == nullptr) return false;
    if (next->getType() == antlr4::Token::EOF) return false;
    size_t prevLine = prev->getLine();
    const std::string& t = prev->getText();
    for (char c : t) if (c == '\n') ++prevLine;
    return next->getLine() == prevLine;
  }
  // False when the next token is an `@` starting a line (AT_LEAD): in a
  // member list that is the next member's annotation, so `balance: Int =`
  // followed by `@crdt(lww)` on the next line is a field missing its value
  // (a syntax error), not a field whose default is the expression `@crdt(lww)`.
  bool notLeadingAnnotation() {
    antlr4::Token* next = _input->LT(1);
    return next == nullptr || next->getType() != AT_LEAD;
  }
  // True when the next two tokens (`.` and a name) touch the previous token.
  bool adjacent() {
    antlr4::Token* prev = _input->LT(-1);
    antlr4::Token* dot = _input->LT(1);
    antlr4::Token* name = _input->LT(2);
    if (prev == nullptr || dot == nullptr || name == nullptr) return false;
    return dot->getStartIndex() == prev->getStopIndex() + 1 && name->getStartIndex() == dot->getStopIndex() + 1;
  }
  // Struct literals are written with a capitalised type name (`Reaction { .. }`),
  // which keeps `if done { ... }` a condition followed by a block.
  bool upperNext() {
    antlr4::Token* next = _input->LT(1);
    if (next == nullptr) return false;
    const std::string& t = next->getText();
    return !t.empty() && t[0] >= 'A' && t[0] <= 'Z';
  }
  // A struct literal: a capitalised name, or a dotted lower-case gene name
  // (`credit.txn { amount: 1 }`) whose brace opens with `name:`. The brace
  // test keeps `if a.b { x }` and `match a.b { x => .. }` conditions with
  // blocks; `this.`/`self.` start field reads, never a gene name.
  bool structLitNext() {
    if (upperNext()) return true;
    auto name = [](antlr4::Token* t) {
      if (t == nullptr || t->getType() == antlr4::Token::EOF) return false;
      const std::string& s = t->getText();
      return !s.empty() && (s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));
    };
    auto touches = [](antlr4::Token* a, antlr4::Token* b) {
      return a != nullptr && b != nullptr && b->getStartIndex() == a->getStopIndex() + 1;
    };
    antlr4::Token* first = _input->LT(1);
    if (!name(first) || first->getText() == "this" || first->getText() == "self") return false;
    ssize_t i = 1;
    int dots = 0;
    while (true) {
      antlr4::Token* dot = _input->LT(i + 1);
      antlr4::Token* next = _input->LT(i + 2);
      if (dot == nullptr || dot->getText() != "." || !touches(_input->LT(i), dot) || !name(next) || !touches(dot, next))
        break;
      i += 2;
      ++dots;
    }
    if (dots == 0) return false;
    antlr4::Token* brace = _input->LT(i + 1);
    if (brace == nullptr || brace->getText() != "{") return false;
    antlr4::Token* field = _input->LT(i + 2);
    antlr4::Token* colon = _input->LT(i + 3);
    return name(field) && colon != nullptr && colon->getText() == ":";
  }
}

// ---------------------------------------------------------------- entry rules

// A file header: `module` and `use` lines.
header : moduleDecl? useDecl* EOF ;

// One top-level declaration (the driver feeds them one at a time).
declaration
  : moduleDecl EOF
  | useDecl EOF
  | topDecl EOF
  ;

moduleDecl : MODULE qualifiedName (AT VERSION)? ;

// `use a.b.C`, `use a.b.{ C, D }` (also without the dot), `use a.b.*`,
// `use local::lib::X` (Rust-style paths), `use @org/pkg.{ A }`; any may be `pub`.
useDecl
  : visibility? USE EXTERNAL_SOURCE useItems? (AT versionReq)?          #useExternal
  | visibility? USE usePath (DOT? useItems | DOT STAR)?                  #useModule
  ;

// `^0.9`, `~1.2`, `1.0.0`: a package version requirement (recorded, not checked).
versionReq : (CARET | TILDE)? (VERSION | FLOAT | INT) ;

usePath : ident ((COLONCOLON | {adjacent()}? DOT) ident)* ;
useItems : LBRACE (useItem (COMMA useItem)* COMMA?)? RBRACE ;
useItem : ident (AS ident)? ;

topDecl
  : annotation* visibility? annotation* geneDecl      #topGene
  | visibility? typeAlias                 #topAlias
  | visibility? traitDecl                 #topTrait
  | visibility? constraintDecl            #topConstraint
  | visibility? systemDecl                #topSystem
  | visibility? evolutionDecl             #topEvolution
  | implDecl                              #topImpl
  | visibility? constDecl                 #topConst
  | annotation* visibility? functionDecl  #topFunction
  | visibility? modDecl                   #topMod
  | visibility? spiritDecl                #topSpirit
  | visibility? varDecl                   #topVar
  | configDecl                            #topConfig
  | testDecl                              #topTest
  | docsDecl                              #topDocs
  ;

visibility : PUB (LPAREN ident RPAREN)? ;

docsDecl
  : DOCS_BLOCK
  | (DOCS | EXEGESIS) STRING
  | DOC_STRING
  ;

// ---------------------------------------------------------------- genes

geneDecl
  : (GEN | GENE | TYPE) qualifiedName typeParams? (AT VERSION)? (EXTENDS qualifiedName)?
    (IS qualifiedName (COMMA qualifiedName)*)?
    LBRACE geneMember* RBRACE
  ;

typeParams : LT typeParam (COMMA typeParam)* COMMA? GT | LBRACK typeParam (COMMA typeParam)* COMMA? RBRACK ;
// `T`, `T: Trait`, `T: A + B`, `N: u64` (bounds are read, not checked).
typeParam : ident (COLON type (PLUS type)*)? (ASSIGN type)? ;

geneMember
  : fieldDecl                      #memberField
  | visibility? functionDecl       #memberFunction
  | constraintDecl                 #memberConstraint
  | implBlock                      #memberImpl
  | ENUM LBRACE enumVariants? RBRACE  #memberEnum
  | docsDecl                       #memberDocs
  | sentence                       #memberSentence
  | SEMI                           #memberSemi
  ;

enumVariants : enumVariant (COMMA? enumVariant)* COMMA? ;
// `A`, `A(T, U)`, `A { x: T, y: U }` (payloads are read, only names are used).
enumVariant
  : ident (LPAREN (type (COMMA type)* COMMA?)? RPAREN | LBRACE (param (COMMA param)* COMMA?)? RBRACE)? (ASSIGN expr)?
  ;

fieldDecl
  : annotation* (HAS | MUT)? ident COLON type ({sameLine()}? sameLineAnnotation)* (ASSIGN {notLeadingAnnotation()}? expr)? (WHERE expr)? ({sameLine()}? sameLineAnnotation)* COMMA?
  ;

typeAlias : TYPE qualifiedName typeParams? ASSIGN type ;

// ---------------------------------------------------------------- annotations

annotation
  : (AT | AT_LEAD) ident (LPAREN annotationArgs? RPAREN)?        #atAnnotation
  | HASH_LBRACK ident (LPAREN annotationArgs? RPAREN)? RBRACK    #attribute
  ;
// An annotation after a field's type, on its line (never an AT_LEAD).
sameLineAnnotation
  : AT ident (LPAREN annotationArgs? RPAREN)?
  | HASH_LBRACK ident (LPAREN annotationArgs? RPAREN)? RBRACK
  ;

annotationArgs : annotationArg (COMMA annotationArg)* COMMA? ;
annotationArg : ident ASSIGN expr | expr ;

// ---------------------------------------------------------------- types

type
  : LPAREN RPAREN                                  #unitType
  | LPAREN type (COMMA type)+ RPAREN               #tupleType
  | LPAREN type RPAREN                             #parenType
  | SEX? (FUN | FN)? LPAREN (type (COMMA type)*)? RPAREN ARROW type #fnType
  | AMP MUT? type                                  #refType
  | qualifiedName LPAREN (type (COMMA type)*)? RPAREN ARROW type  #namedFnType
  | LBRACK type (SEMI expr)? RBRACK                #arrayType
  | BANG                                           #neverType
  | ENUM LBRACE enumVariants? RBRACE               #enumType
  | qualifiedName (LT type (COMMA type)* GT)?      #namedType
  | qualifiedName LBRACK type (COMMA type)* RBRACK #bracketType
  ;

// ---------------------------------------------------------------- traits

traitDecl
  : TRAIT qualifiedName typeParams? (AT VERSION)? LBRACE traitMember* RBRACE
  ;

traitMember
  : USES qualifiedName (COMMA qualifiedName)*   #traitUses
  | visibility? functionDecl                    #traitFunction
  | IS ident typeParams? LPAREN params? RPAREN (ARROW type)?  #traitIsMethod
  | fieldDecl                                   #traitField
  | constraintDecl                              #traitConstraint
  | docsDecl                                    #traitDocs
  | sentence                                    #traitSentence
  | SEMI                                        #traitSemi
  ;

// ---------------------------------------------------------------- constraints

constraintDecl
  : (CONSTRAINT | RULE | LAW) qualifiedName (AT VERSION)? (ON qualifiedName)? LBRACE constraintItem* RBRACE
  ;

constraintItem
  : ident NEVER CHANGES ident                          #neverChanges
  | expr ALWAYS compareOp expr                         #alwaysItem
  | REQUIRE COLON expr                                 #requireItem
  | ON_VIOLATION COLON ident                           #onViolationItem
  | docsDecl                                           #constraintDocs
  | sentence                                           #constraintSentence
  | expr                                               #exprItem
  | SEMI                                               #constraintSemi
  | proseItem                                          #constraintProse
  ;

// A constraint line in prose-like logic (`each Ring where x { exists n such
// that ... }`): the tokens of one line, bracketed groups spanning lines.
// Tried last: anything that reads as an expression or sentence is one.
proseItem : proseToken ({sameLine()}? proseToken)* ;
proseToken
  : LPAREN proseAny* RPAREN
  | LBRACK proseAny* RBRACK
  | LBRACE proseAny* RBRACE
  | ~(LPAREN | RPAREN | LBRACK | RBRACK | LBRACE | RBRACE | HASH_LBRACK)
  ;
proseAny : proseToken | HASH_LBRACK ;

compareOp : GE | LE | GT | LT | EQ | NE ;

// A property sentence: two or more words on one line (`container has identity`).
// After its first two words a sentence may compare (`Container requires
// capacity > 0`); one starting `a >= b` is an expression, not a sentence.
sentence : sentenceWord {sameLine()}? sentenceWord ({sameLine()}? (sentenceWord | compareOp))* ;
// `in`, `as` and `implies` join expressions: `this.license in [..]` is an
// expression, never the sentence `this.license in` and a list, so they are
// not words (a predicate would not do: ANTLR predicts without it).
sentenceWord : wordIdent ({adjacent()}? DOT wordIdent)* | INT | STRING | FLOAT | VERSION ;

// ---------------------------------------------------------------- systems

systemDecl
  : SYSTEM qualifiedName (AT VERSION)? LBRACE systemItem* RBRACE
  ;

systemItem
  : REQUIRES requirement (COMMA requirement)*                                          #systemRequires
  | GENES COLON? LBRACK (qualifiedName (COMMA qualifiedName)* COMMA?)? RBRACK           #systemGenes
  | (REQUIRES | USES) EXTERNAL_SOURCE STRING?                                            #systemPackage
  | USES qualifiedName (COMMA qualifiedName)*                                          #systemUses
  | TRAITS COLON? LBRACK (qualifiedName (COMMA qualifiedName)* COMMA?)? RBRACK          #systemTraits
  | SYNC_POLICY COLON? LBRACE (keyValue COMMA?)* RBRACE                                #systemSyncPolicy
  | STATE ident COLON type (ASSIGN expr)?                                              #systemState
  | HAS ident COLON type (ASSIGN expr)?                                                #systemField
  | constraintDecl                                                                     #systemConstraint
  | visibility? functionDecl                                                           #systemFunction
  | docsDecl                                                                           #systemDocs
  | sentence                                                                           #systemSentence
  | SEMI                                                                               #systemSemi
  ;

requirement : qualifiedName ((GE | GT | EQ | ASSIGN | AT) VERSION)? ;

keyValue : ident (COLON | ASSIGN) expr ;

// ---------------------------------------------------------------- evolutions

evolutionDecl
  : (EVO | EVOLVES | EVOLUTION) qualifiedName AT VERSION (GT | FROM) VERSION LBRACE evolutionItem* RBRACE   #evoVersions
  | (EVOLUTION | EVOLVES | EVO) qualifiedName FROM qualifiedName LBRACE evolutionItem* RBRACE     #evoFromName
  // `evo Organism > Prokaryote @ 3.5Gya { .. }`: one gene becoming another (read, not checked).
  | (EVO | EVOLVES | EVOLUTION) qualifiedName GT qualifiedName (AT (VERSION | (FLOAT | INT) ident?))?
    LBRACE evolutionItem* RBRACE                                                                    #evoBetweenGenes
  ;

evolutionItem
  : ADDS fieldDecl                                           #evoAdds
  | ADDS geneDecl                                           #evoAddsGene
  | ADDS functionDecl                                       #evoAddsFunction
  | ADD_FIELD COLON fieldDecl                                #evoAddField
  | REMOVES ident                                            #evoRemoves
  | REMOVE_FIELD COLON ident                                 #evoRemoveField
  | RENAMES ident ARROW ident                                #evoRenames
  | RENAME_FIELD COLON ident ARROW ident                     #evoRenameField
  | CHANGES ident FROM changeSide TO changeSide              #evoChanges
  | DEPRECATES ident                                         #evoDeprecates
  | MIGRATE ident block                                      #evoMigrate
  | BECAUSE STRING                                           #evoBecause
  | docsDecl                                                 #evoDocs
  | ident COLON expr                                         #evoMeta
  // The past-tense items of `evo A > B`: `added f: T = v`, `changed f: T -> U`,
  // `renamed a -> b`, `migrate from A { .. }`, rules.
  | ident fieldDecl                                          #evoVerbField
  | ident ident COLON type ARROW type                        #evoVerbRetype
  | ident ident ARROW ident                                  #evoVerbRename
  | MIGRATE FROM qualifiedName block                         #evoMigrateFrom
  | constraintDecl                                           #evoConstraint
  | sentence                                                 #evoSentence
  | SEMI                                                     #evoSemi
  ;

changeSide : annotation | type ;

// ---------------------------------------------------------------- the rest of DOL

implDecl : IMPL qualifiedName FOR qualifiedName LBRACE (visibility? functionDecl | docsDecl | SEMI)* RBRACE ;
// `impl Trait { fun .. }` inside a gene or spirit (read, not compiled).
implBlock : IMPL qualifiedName (FOR qualifiedName)? LBRACE (visibility? functionDecl | docsDecl | SEMI)* RBRACE ;

constDecl : CONST ident (COLON type)? ASSIGN expr ;

// `sex var NAME: T = expr`: module-level mutable state.
varDecl : SEX? VAR ident (COLON type)? (ASSIGN expr)? ;

// `mod name { ... }`, or `mod a.b` alone: the file is that module.
modDecl : MOD qualifiedName (LBRACE (useDecl | topDecl)* RBRACE)? ;

// A spirit manifest: `spirit name @ v { ... }`, or its header line alone.
spiritDecl : SPIRIT qualifiedName (AT VERSION)? (LBRACE spiritItem* RBRACE)? ;
spiritItem
  : HAS? ident COLON expr     #spiritEntry
  | REQUIRES EXTERNAL_SOURCE STRING?  #spiritRequires
  | MUT ident COLON type (ASSIGN expr)?  #spiritState
  | visibility? functionDecl  #spiritFunction
  | implBlock                 #spiritImpl
  | constraintDecl            #spiritConstraint
  | docsDecl                  #spiritDocs
  | sentence                  #spiritSentence
  | SEMI                      #spiritSemi
  ;

configDecl : CONFIG ident? LBRACE (keyValue COMMA? | docsDecl | SEMI)* RBRACE ;

testDecl : TEST (ident | STRING) block ;

// ---------------------------------------------------------------- functions

functionDecl
  : SEX? (EXTERN STRING?)? (FUN | FN) ident typeParams? LPAREN params? RPAREN (ARROW type)?
    (WHERE typeParam (COMMA typeParam)* COMMA?)? block?
  ;

params : param (COMMA param)* (COMMA DOTDOT DOT)? COMMA? ;
param : MUT? ident (COLON type)? ;

block : LBRACE statement* RBRACE ;

statement
  : LET MUT? ident (COLON type)? (ASSIGN expr)?             #letStmt
  | LET MUT? pattern (COLON type)? ASSIGN expr              #letPatternStmt
  | MUT ident (COLON type)? ASSIGN expr                      #mutStmt
  | (DOC_STRING | DOCS_BLOCK)                               #docStmt
  // A helper function inside a body. Its block is required: with an optional
  // one, `fun f() {` would be ambiguous with a statement that is a block, and
  // ANTLR would read every function body to the end before choosing.
  | SEX? (FUN | FN) ident typeParams? LPAREN params? RPAREN (ARROW type)? block  #nestedFunctionStmt
  | BREAK                                                   #breakStmt
  | CONTINUE                                                #continueStmt
  | FOR ident IN expr block                                 #forStmt
  | FOR pattern IN expr block                               #forPatternStmt
  | VAR ident (COLON type)? (ASSIGN expr)?                  #varStmt
  | WHILE expr block                                        #whileStmt
  | WHILE LET pattern ASSIGN expr block                     #whileLetStmt
  | LOOP block                                              #loopStmt
  // One alternative for expressions, assignments and `return` (a returnExpr
  // primary): separate alternatives made ANTLR's prediction scan the whole
  // expression to choose, which is slow on long chains.
  | expr (assignOp expr)?                                   #exprStmt
  | SEMI                                                    #emptyStmt
  ;

assignOp : ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN | SLASH_ASSIGN ;

// ---------------------------------------------------------------- expressions

expr
  : primary                                                     #primaryExpr
  | expr DOT ident (COLONCOLON LT type (COMMA type)* GT)? (LPAREN args? RPAREN)?  #memberExpr
  | expr DOT INT                                                #tupleIndexExpr
  | expr LPAREN args? RPAREN                                    #callExpr
  | expr LBRACK expr RBRACK                                     #indexExpr
  | expr QUESTION                                               #tryExpr
  | expr AS type                                                #castExpr
  | <assoc=right> (MINUS | BANG | NOT | STAR | AMP MUT?) expr    #unaryExpr
  | <assoc=right> expr CARET expr                               #binaryExpr
  | expr (STAR | SLASH | PERCENT) expr                          #binaryExpr
  | expr (PLUS | MINUS) expr                                    #binaryExpr
  | expr (LT LT | GT GT) expr                                   #binaryExpr
  | expr AMP expr                                               #binaryExpr
  | expr (DOTDOT | DOTDOTEQ) expr                               #binaryExpr
  | expr (LT | LE | GT | GE | EQ | NE) expr                     #binaryExpr
  | expr IN expr                                                #binaryExpr
  | expr ANDAND expr                                            #binaryExpr
  | expr OROR expr                                              #binaryExpr
  | <assoc=right> expr IMPLIES expr                             #binaryExpr
  | expr PIPE_GT expr                                           #binaryExpr
  ;

args : arg (COMMA arg)* COMMA? ;
// `f(x, weight: w)`; `check(f, Fn(String) -> Unit)` passes a function type.
arg : ident COLON expr | expr (ARROW type)? ;

primary
  : INT                                                         #intLit
  | FLOAT                                                       #floatLit
  | STRING                                                      #stringLit
  | CHAR                                                        #charLit
  | (TRUE | FALSE)                                              #boolLit
  | {structLitNext()}? qualifiedName (COLONCOLON ident)* LBRACE (fieldInit (COMMA fieldInit)* COMMA?)? RBRACE  #structLit
  | exprName (COLONCOLON ident)+                                #pathExpr
  | exprName                                                    #nameExpr
  | LPAREN RPAREN                                               #unitLit
  | LPAREN expr RPAREN                                          #parenExpr
  | LPAREN expr (COMMA expr)+ COMMA? RPAREN                     #tupleLit
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK                  #listLit
  | LBRACE mapEntry (COMMA mapEntry)* COMMA? RBRACE             #mapLit
  | IF expr block (ELSE (ifTail | block))?                      #ifExpr
  | IF LET pattern ASSIGN expr block (ELSE (ifTail | block))?   #ifLetExpr
  | MATCH expr LBRACE matchArm* RBRACE                          #matchExpr
  | block                                                       #blockExpr
  | PIPE (closureParam (COMMA closureParam)*)? PIPE expr       #closureExpr
  | OROR expr                                                   #closureNoArgs
  | (FORALL | EXISTS) ident COLON type (COMMA ident COLON type)* DOT expr  #quantifierExpr
  | (FORALL | EXISTS) pattern (COMMA pattern)* IN expr DOT expr  #quantifierInExpr
  | QUOTE block                                                 #quoteExpr
  | (RETURN_BARE | RETURN expr)                                 #returnExpr
  | BANG LPAREN opaqueTokens* RPAREN                            #macroExpr
  | exprName BANG proseToken                                    #macroCallExpr
  | (AT | AT_LEAD) exprName                                     #effectExpr
  | BREAK                                                       #breakExpr
  | CONTINUE                                                    #continueExpr
  ;

closureParam : pattern (COLON type)? ;

ifTail : IF (LET pattern ASSIGN)? expr block (ELSE (ifTail | block))? ;

fieldInit : ident COLON expr | ident | DOTDOT DOT? expr ;
mapEntry : (STRING | INT | ident) COLON expr ;

matchArm : pattern (PIPE pattern)* (IF expr)? (FAT_ARROW (block | expr (assignOp expr)?) | block) COMMA? ;

pattern
  : UNDERSCORE_PAT                                              #wildcardPattern
  | (MINUS? (INT | FLOAT) | STRING | CHAR | TRUE | FALSE)       #literalPattern
  | ident ((COLONCOLON | DOT) ident)* LPAREN (pattern (COMMA pattern)* COMMA?)? RPAREN  #variantPattern
  | ident ((COLONCOLON | DOT) ident)* LBRACE (fieldPattern (COMMA fieldPattern)* COMMA?)? (COMMA? DOTDOT)? RBRACE  #structPattern
  | ident ((COLONCOLON | DOT) ident)+                           #pathPattern
  | ident                                                       #bindingPattern
  | LPAREN (pattern (COMMA pattern)*)? RPAREN                   #tuplePattern
  ;

fieldPattern : ident (COLON pattern)? ;

opaqueTokens : LPAREN opaqueTokens* RPAREN | ~(LPAREN | RPAREN) ;

// ---------------------------------------------------------------- names

// A name in expression position: every keyword except those that begin an
// expression or statement, so `if x { }` is never read as a variable `if`.
exprName
  : ID
  | MODULE | USE | PUB | GEN | GENE | TYPE | TRAIT | CONSTRAINT | RULE | SYSTEM | EVO | EVOLVES | EVOLUTION
  | IMPL | CONST | FUN | FN | SEX | EXTERN | MOD | SPIRIT | CONFIG | TEST | HAS | IS | EXTENDS | USES
  | REQUIRES | GENES | TRAITS | SYNC_POLICY | STATE | DOCS | EXEGESIS | ENUM | WHERE | NEVER | CHANGES
  | ALWAYS | ADDS | REMOVES | RENAMES | DEPRECATES | MIGRATE | BECAUSE | FROM | TO | ON | REQUIRE | ON_VIOLATION
  | ADD_FIELD | REMOVE_FIELD | RENAME_FIELD | LAW | VAR
  ;

qualifiedName : ident ({adjacent()}? DOT ident)* ;

ident
  : ID
  | MODULE | USE | PUB | GEN | GENE | TYPE | TRAIT | CONSTRAINT | RULE | SYSTEM | EVO | EVOLVES | EVOLUTION
  | IMPL | FOR | CONST | FUN | FN | SEX | EXTERN | MOD | SPIRIT | CONFIG | TEST | HAS | IS | EXTENDS | USES
  | REQUIRES | GENES | TRAITS | SYNC_POLICY | STATE | DOCS | EXEGESIS | ENUM | LET | MUT | IF | ELSE | MATCH
  | WHILE | LOOP | BREAK | CONTINUE | RETURN | RETURN_BARE | IN | AS | FORALL | EXISTS | IMPLIES | WHERE | NEVER | CHANGES
  | ALWAYS | ADDS | REMOVES | RENAMES | DEPRECATES | MIGRATE | BECAUSE | FROM | TO | ON | REQUIRE | ON_VIOLATION
  | QUOTE | ADD_FIELD | REMOVE_FIELD | RENAME_FIELD | LAW | VAR | NOT | UNDERSCORE_PAT
  ;

// A word of a sentence: a name, except the keywords that join expressions.
wordIdent
  : ID
  | MODULE | USE | PUB | GEN | GENE | TYPE | TRAIT | CONSTRAINT | RULE | SYSTEM | EVO | EVOLVES | EVOLUTION
  | IMPL | FOR | CONST | FUN | FN | SEX | EXTERN | MOD | SPIRIT | CONFIG | TEST | HAS | IS | EXTENDS | USES
  | REQUIRES | GENES | TRAITS | SYNC_POLICY | STATE | DOCS | EXEGESIS | ENUM | LET | MUT | IF | ELSE | MATCH
  | WHILE | LOOP | BREAK | CONTINUE | RETURN | RETURN_BARE | FORALL | EXISTS | WHERE | NEVER | CHANGES
  | ALWAYS | ADDS | REMOVES | RENAMES | DEPRECATES | MIGRATE | BECAUSE | FROM | TO | ON | REQUIRE | ON_VIOLATION
  | QUOTE | ADD_FIELD | REMOVE_FIELD | RENAME_FIELD | LAW | VAR | NOT | UNDERSCORE_PAT
  ;

// ================================================================ lexer

DOCS_BLOCK : ('docs' | 'exegesis') [ \t\r\n]* BALANCED ;
fragment BALANCED : '{' ( BALANCED | DOCS_STRING | ~[{}"] )* '}' ;
fragment DOCS_STRING : '"' ( '\\' . | ~["\\] )* '"' ;

MODULE : 'module' ;
USE : 'use' ;
PUB : 'pub' ;
GEN : 'gen' ;
GENE : 'gene' ;
TYPE : 'type' ;
TRAIT : 'trait' ;
CONSTRAINT : 'constraint' ;
RULE : 'rule' ;
SYSTEM : 'system' ;
EVO : 'evo' ;
EVOLVES : 'evolves' ;
EVOLUTION : 'evolution' ;
IMPL : 'impl' ;
FOR : 'for' ;
CONST : 'const' ;
FUN : 'fun' ;
FN : 'fn' ;
SEX : 'sex' ;
EXTERN : 'extern' ;
MOD : 'mod' ;
SPIRIT : 'spirit' ;
CONFIG : 'config' ;
TEST : 'test' ;
HAS : 'has' ;
IS : 'is' ;
EXTENDS : 'extends' ;
USES : 'uses' ;
REQUIRES : 'requires' ;
GENES : 'genes' ;
TRAITS : 'traits' ;
SYNC_POLICY : 'sync_policy' ;
STATE : 'state' ;
DOCS : 'docs' ;
EXEGESIS : 'exegesis' ;
ENUM : 'enum' ;
LET : 'let' ;
MUT : 'mut' ;
IF : 'if' ;
ELSE : 'else' ;
MATCH : 'match' ;
WHILE : 'while' ;
LOOP : 'loop' ;
BREAK : 'break' ;
CONTINUE : 'continue' ;
// `return` with nothing after it on its line (or before `}`, `)`, `,`, `;`)
// is its own token, so the parser never has to guess whether the next line
// is the returned value (guessing made long `return` chains very slow).
RETURN_BARE : 'return' { bareReturnAhead() }? ;
RETURN : 'return' ;
IN : 'in' ;
AS : 'as' ;
TRUE : 'true' ;
FALSE : 'false' ;
FORALL : 'forall' ;
EXISTS : 'exists' ;
IMPLIES : 'implies' ;
WHERE : 'where' ;
NEVER : 'never' ;
CHANGES : 'changes' ;
ALWAYS : 'always' ;
ADDS : 'adds' ;
REMOVES : 'removes' ;
RENAMES : 'renames' ;
DEPRECATES : 'deprecates' ;
MIGRATE : 'migrate' ;
BECAUSE : 'because' ;
FROM : 'from' ;
TO : 'to' ;
ON : 'on' ;
REQUIRE : 'require' ;
ON_VIOLATION : 'on_violation' ;
QUOTE : 'quote' ;
ADD_FIELD : 'add_field' ;
REMOVE_FIELD : 'remove_field' ;
RENAME_FIELD : 'rename_field' ;
LAW : 'law' ;
VAR : 'var' ;
NOT : 'not' ;
UNDERSCORE_PAT : '_' ;

// `use @org/pkg`, `use @git:host/repo`, `use @https://...`: recorded, never fetched.
// The source stops before `{`, so `use @org/pkg.{ A, B }` names items.
EXTERNAL_SOURCE : '@' [a-zA-Z] [a-zA-Z0-9_\-.]* ( '/' | ':' ) ~[ \t\r\n{}]* ;

VERSION : DIGITS '.' DIGITS '.' DIGITS ;
FLOAT : DIGITS '.' DIGITS ( [eE] [+\-]? DIGITS )? | DIGITS [eE] [+\-]? DIGITS ;
INT : '0' [xX] [0-9a-fA-F_]+ | '0' [bB] [01_]+ | DIGITS ;
fragment DIGITS : [0-9] [0-9_]* ;

// A `"""` doc string (Python style), which may span lines.
DOC_STRING : '"""' .*? '"""' ;
STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;
// A string missing its closing quote; the parser reports it with a fix.
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* ;

ID : [a-zA-Z_] [a-zA-Z0-9_]* ;

// A character literal: `'a'`, `'\n'`.
CHAR : '\'' ( '\\' ~[\r\n] | ~['\\\r\n] ) '\'' ;

HASH_LBRACK : '#[' ;
AT : '@' ;
ARROW : '->' ;
FAT_ARROW : '=>' ;
COLONCOLON : '::' ;
PIPE_GT : '|>' ;
DOTDOTEQ : '..=' ;
DOTDOT : '..' ;
PLUS_ASSIGN : '+=' ;
MINUS_ASSIGN : '-=' ;
STAR_ASSIGN : '*=' ;
SLASH_ASSIGN : '/=' ;
EQ : '==' ;
NE : '!=' ;
GE : '>=' ;
LE : '<=' ;
ANDAND : '&&' ;
AMP : '&' ;
CARET : '^' ;
TILDE : '~' ;
OROR : '||' ;
LT : '<' ;
GT : '>' ;
ASSIGN : '=' ;
PLUS : '+' ;
MINUS : '-' ;
STAR : '*' ;
SLASH : '/' ;
PERCENT : '%' ;
BANG : '!' ;
QUESTION : '?' ;
PIPE : '|' ;
DOT : '.' ;
COMMA : ',' ;
COLON : ':' ;
SEMI : ';' ;
LPAREN : '(' ;
RPAREN : ')' ;
LBRACE : '{' ;
RBRACE : '}' ;
LBRACK : '[' ;
RBRACK : ']' ;

BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
LINE_COMMENT : '//' ~[\r\n]* -> skip ;
// `-- ` starts a comment only when followed by a space, a tab or the end of the line.
DASH_COMMENT : '--' ( [ \t] ~[\r\n]* | ) { _input->LA(1) == '\n' || _input->LA(1) == '\r' || _input->LA(1) == EOF || getText().size() > 2 }? -> skip ;
// `#` not followed by `[` starts an RFC-style comment to the end of the line.
HASH_COMMENT : '#' ( ~[[\r\n] ~[\r\n]* )? -> skip ;
WS : [ \t\r\n\f]+ -> skip ;
// Anything else becomes one token the parser reports as unexpected.
UNKNOWN_CHAR : . ;
