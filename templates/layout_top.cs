<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs if:Page.Title ?><?cs var:Page.Title ?> · <?cs /if ?>Contact Tracking</title>
<link rel="stylesheet" href="/static/ctrack.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">Contact Tracking</a>
  <?cs if:Page.User.Name ?>
  <nav aria-label="Main">
    <?cs if:Allowed.reports.view ?><a href="/dashboard">Dashboard</a><?cs /if ?>
    <?cs if:Allowed.contacts.view ?><a href="/contacts">Contacts</a><?cs /if ?>
    <?cs if:Allowed.contacts.view ?><a href="/organisations">Organisations</a><?cs /if ?>
    <?cs if:Allowed.campaigns.view ?><a href="/campaigns">Campaigns</a><?cs /if ?>
    <?cs if:Allowed.activities.view ?><a href="/follow-ups">Follow-ups</a><?cs /if ?>
    <?cs if:Allowed.audit.view ?><a href="/audit">Audit trail</a><?cs /if ?>
    <?cs if:Allowed.users.manage || Allowed.matrix.manage ?><a href="/admin">Administration</a><?cs /if ?>
    <a href="/account">Account</a>
  </nav>
  <div class="who">
    <span><?cs var:Page.User.Name ?><?cs if:Page.User.Client ?> · <?cs var:Page.User.Client ?><?cs /if ?></span>
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="csrf" value="<?cs var:Page.Csrf ?>">
      <button type="submit" class="link">Log out</button>
    </form>
  </div>
  <?cs /if ?>
</header>
<main id="main">
<?cs if:Page.Flash ?><p class="flash" role="status"><?cs var:Page.Flash ?></p><?cs /if ?>
