//! `antrean/...` handlers: add, task times, cancel, pharmacy queue, task list, registrations.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use super::QueueCtx;
use crate::kernel::clock::today_jakarta;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path};
use crate::kernel::ids::parse_date;

use super::domain::{self, KodeBooking, Refusal, MSG_FORMAT_TANGGAL};
use super::store::{self, AddOutcome, NewTask, MSG_BOOKING_NOT_FOUND};
use super::store_read::{self, BookingFilter};
use super::tasks;
use super::wire::{
    AddAntrean, Batal, EncryptedAnswer, EncryptedOrRefusal, FarmasiAdd, GetListTask, MetadataOnly, Pendaftaran,
    TaskItem, UpdateWaktu,
};
use super::{authenticate, encrypted, ok, parse_body, refuse};

/// The refusal of a booking whose `jampraktek` is none of the doctor's sessions that day.
pub const MSG_SESI_NOT_FOUND: &str = "Jadwal dokter tidak ditemukan";

/// Adds a booking to the hospital's queue.
#[utoipa::path(post, path = "/antrean/add", tag = "queue", request_body = AddAntrean,
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses(
        (status = 200, description = "metadata.code 200 added, 201 refused (with the reason), 208 kodebooking already exists", body = MetadataOnly),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn add(State(ctx): State<QueueCtx>, headers: HeaderMap, body: Bytes) -> AppResult<Json<MetadataOnly>> {
    let signed = authenticate(&ctx, &headers).await?;
    let ppk = &signed.consumer.kode_ppk;
    let req: AddAntrean = parse_body(&body)?;
    let today = today_jakarta(ctx.kernel.clock.as_ref());
    let booking = domain::parse_booking(&req, today).map_err(refuse)?;
    let refs = ctx
        .family
        .references(
            &ctx.kernel.db,
            ppk,
            &booking.kodepoli,
            booking.kodedokter,
            booking.tanggalperiksa,
            &booking.jampraktek,
        )
        .await?;
    if !refs.poli {
        return Err(refuse(Refusal::new("Poli tidak ditemukan")));
    }
    if !refs.dokter {
        return Err(refuse(Refusal::new("Dokter tidak ditemukan")));
    }
    if let Some(libur) = &refs.libur {
        return Err(refuse(Refusal::new(format!(
            "Tanggal Periksa adalah hari libur: {libur}"
        ))));
    }
    if !refs.jadwal {
        return Err(refuse(Refusal::new(
            "Jadwal Dokter tidak tersedia di poli tersebut pada tanggal periksa",
        )));
    }
    // The quota is the session's: a jampraktek that is not exactly one of the doctor's
    // sessions that day has none.
    let Some(kapasitas) = refs.kapasitas else {
        return Err(refuse(Refusal::new(MSG_SESI_NOT_FOUND)));
    };
    let now_ms = ctx.kernel.clock.now().timestamp_millis();
    match store::add_booking(&ctx.kernel.db, ppk, &booking, kapasitas, now_ms).await? {
        AddOutcome::Added => Ok(ok()),
        AddOutcome::Duplicate => Err(refuse(Refusal::duplicate("Terdapat duplikasi Kode Booking"))),
        AddOutcome::QuotaFull => Err(refuse(Refusal::new(match booking.jenispasien {
            domain::JenisPasien::Jkn => "Kuota JKN sudah penuh",
            domain::JenisPasien::NonJkn => "Kuota Non JKN sudah penuh",
        }))),
    }
}

/// Records the time of a task (1-7, or 99 no-show/cancel) of a booking.
#[utoipa::path(post, path = "/antrean/updatewaktu", tag = "queue", request_body = UpdateWaktu,
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses(
        (status = 200, description = "metadata.code 200 recorded, 201 refused (order, time, unknown booking), 208 task already recorded", body = MetadataOnly),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn update_waktu(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<MetadataOnly>> {
    let signed = authenticate(&ctx, &headers).await?;
    let req: UpdateWaktu = parse_body(&body)?;
    let kodebooking = KodeBooking::lookup(&req.kodebooking).map_err(refuse)?;
    let taskid = domain::required_integer(&req.taskid, "TaskId").map_err(refuse)?;
    if !tasks::valid_task(taskid) {
        return Err(refuse(Refusal::new("TaskId tidak sesuai, isi 1 sampai 7 atau 99")));
    }
    let waktu = tasks::parse_waktu(&req.waktu).map_err(refuse)?;
    let jenisresep = domain::text(&req.jenisresep).filter(|s| !s.is_empty());
    let task = NewTask {
        kodebooking: &kodebooking,
        taskid,
        waktu,
        waktu_server: ctx.kernel.clock.now().timestamp_millis(),
        jenisresep,
    };
    store::record_task(&ctx.kernel.db, &signed.consumer.kode_ppk, &task)
        .await?
        .map_err(refuse)?;
    Ok(ok())
}

/// Cancels a booking (with the reason) and frees its place in the quota.
#[utoipa::path(post, path = "/antrean/batal", tag = "queue", request_body = Batal,
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses(
        (status = 200, description = "metadata.code 200 cancelled, 201 refused (unknown, already cancelled or already served)", body = MetadataOnly),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn batal(State(ctx): State<QueueCtx>, headers: HeaderMap, body: Bytes) -> AppResult<Json<MetadataOnly>> {
    let signed = authenticate(&ctx, &headers).await?;
    let req: Batal = parse_body(&body)?;
    let kodebooking = KodeBooking::lookup(&req.kodebooking).map_err(refuse)?;
    let keterangan = domain::required_text(&req.keterangan, "Keterangan")
        .and_then(|k| domain::at_most(k, "Keterangan", domain::MAX_KETERANGAN))
        .map_err(refuse)?;
    store::cancel(&ctx.kernel.db, &signed.consumer.kode_ppk, &kodebooking, &keterangan)
        .await?
        .map_err(refuse)?;
    Ok(ok())
}

/// Registers a booking's pharmacy queue.
#[utoipa::path(post, path = "/antrean/farmasi/add", tag = "queue", request_body = FarmasiAdd,
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses(
        (status = 200, description = "metadata.code 200 added, 201 refused, 208 already registered", body = MetadataOnly),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn farmasi_add(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<MetadataOnly>> {
    let signed = authenticate(&ctx, &headers).await?;
    let req: FarmasiAdd = parse_body(&body)?;
    let kodebooking = KodeBooking::lookup(&req.kodebooking).map_err(refuse)?;
    let jenisresep = domain::required_text(&req.jenisresep, "Jenis Resep").map_err(refuse)?;
    let jenisresep = match jenisresep.to_lowercase().as_str() {
        "racikan" => "racikan",
        "non racikan" | "nonracikan" | "non-racikan" => "non racikan",
        _ => {
            return Err(refuse(Refusal::new(
                "Jenis Resep tidak sesuai, isi racikan atau non racikan",
            )))
        }
    };
    let nomorantrean = domain::required_integer(&req.nomorantrean, "Nomor Antrean").map_err(refuse)?;
    if nomorantrean < 1 {
        return Err(refuse(Refusal::new("Nomor Antrean tidak valid")));
    }
    let keterangan = domain::at_most(
        domain::text(&req.keterangan).unwrap_or_default(),
        "Keterangan",
        domain::MAX_KETERANGAN,
    )
    .map_err(refuse)?;
    store::add_farmasi(
        &ctx.kernel.db,
        &signed.consumer.kode_ppk,
        &kodebooking,
        jenisresep,
        nomorantrean,
        &keterangan,
    )
    .await?
    .map_err(refuse)?;
    Ok(ok())
}

/// The recorded tasks of a booking (encrypted list of task items).
#[utoipa::path(post, path = "/antrean/getlisttask", tag = "queue", request_body = GetListTask,
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses(
        (status = 200, description = "response: encrypted JSON list of TaskItem; metadata.code 201 for an unknown booking or no task yet", body = EncryptedOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn get_list_task(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<EncryptedAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let req: GetListTask = parse_body(&body)?;
    let kodebooking = KodeBooking::lookup(&req.kodebooking).map_err(refuse)?;
    let Some(tasks) = store_read::tasks(&ctx.kernel.db, &signed.consumer.kode_ppk, &kodebooking).await? else {
        return Err(refuse(Refusal::new(MSG_BOOKING_NOT_FOUND)));
    };
    if tasks.is_empty() {
        return Err(refuse(Refusal::new("Data tidak ditemukan")));
    }
    let items: Vec<TaskItem> = tasks
        .into_iter()
        .map(|(taskid, waktu, waktu_server)| TaskItem {
            wakturs: format_wib(waktu),
            waktu: format_wib(waktu_server),
            taskname: tasks::task_name(taskid).to_string(),
            taskid,
            kodebooking: kodebooking.to_string(),
        })
        .collect();
    encrypted(&signed, &items).await
}

/// `dd-MM-yyyy HH:mm:ss WIB` in Asia/Jakarta, as BPJS shows task times.
fn format_wib(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t
            .with_timezone(&crate::kernel::clock::jakarta())
            .format("%d-%m-%Y %H:%M:%S WIB")
            .to_string(),
        None => String::new(),
    }
}

/// Registrations of one examination date (encrypted list).
#[utoipa::path(get, path = "/antrean/pendaftaran/tanggal/{tanggal}", tag = "queue",
    params(("tanggal" = String, Path, description = "yyyy-mm-dd")),
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "response: encrypted JSON list of Pendaftaran; metadata.code 201 when none", body = EncryptedOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn pendaftaran_tanggal(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    Path(tanggal): Path<String>,
) -> AppResult<Json<EncryptedAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let date = parse_date(&tanggal).ok_or_else(|| refuse(Refusal::new(MSG_FORMAT_TANGGAL)))?;
    let filter = BookingFilter::Tanggal(date.format("%Y-%m-%d").to_string());
    pendaftaran(&ctx, &signed, &filter, None).await
}

/// One registration by booking code (encrypted list of one).
#[utoipa::path(get, path = "/antrean/pendaftaran/kodebooking/{kodebooking}", tag = "queue",
    params(("kodebooking" = String, Path, description = "The booking code")),
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "response: encrypted JSON list of Pendaftaran; metadata.code 201 when unknown", body = EncryptedOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn pendaftaran_kodebooking(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    Path(kodebooking): Path<String>,
) -> AppResult<Json<EncryptedAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    // A code that could never have been stored is not found, as any unknown one.
    let kodebooking = KodeBooking::parse(&kodebooking).map_err(|_| refuse(Refusal::new(MSG_BOOKING_NOT_FOUND)))?;
    let rows = store_read::bookings(
        &ctx.kernel.db,
        &signed.consumer.kode_ppk,
        &BookingFilter::Kode(kodebooking),
        1,
    )
    .await?;
    if rows.is_empty() {
        return Err(refuse(Refusal::new(MSG_BOOKING_NOT_FOUND)));
    }
    encrypted(&signed, &rows.into_iter().map(to_pendaftaran).collect::<Vec<_>>()).await
}

/// Registrations from today on that are neither cancelled nor through the poli (encrypted list).
#[utoipa::path(get, path = "/antrean/pendaftaran/aktif", tag = "queue",
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "response: encrypted JSON list of Pendaftaran; metadata.code 201 when none", body = EncryptedOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn pendaftaran_aktif(State(ctx): State<QueueCtx>, headers: HeaderMap) -> AppResult<Json<EncryptedAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let (today, until) = window(&ctx);
    pendaftaran(&ctx, &signed, &BookingFilter::Aktif { today, until }, None).await
}

/// Registrations from today on of one doctor's session on weekday `hari` (encrypted list).
#[utoipa::path(get, path = "/antrean/pendaftaran/kodepoli/{kodepoli}/kodedokter/{kodedokter}/hari/{hari}/jampraktek/{jampraktek}", tag = "queue",
    params(("kodepoli" = String, Path, description = "Subspecialty code"),
           ("kodedokter" = i64, Path, description = "Doctor code"),
           ("hari" = i64, Path, description = "1 Monday .. 7 Sunday"),
           ("jampraktek" = String, Path, description = "HH:mm-HH:mm")),
    security(("bpjs_cons_id" = [], "bpjs_timestamp" = [], "bpjs_signature" = [], "bpjs_user_key" = [])),
    responses((status = 200, description = "response: encrypted JSON list of Pendaftaran; metadata.code 201 when none", body = EncryptedOrRefusal),
        (status = 400, description = "Malformed JSON body or path segment (metadata only)", body = MetadataOnly),
        (status = 401, description = "Missing or bad signature headers (metadata only, code 401)", body = MetadataOnly)))]
pub async fn pendaftaran_jadwal(
    State(ctx): State<QueueCtx>,
    headers: HeaderMap,
    Path((kodepoli, kodedokter, hari, jampraktek)): Path<(String, String, String, String)>,
) -> AppResult<Json<EncryptedAnswer>> {
    let signed = authenticate(&ctx, &headers).await?;
    let kodedokter = kodedokter
        .trim()
        .parse::<i64>()
        .map_err(|_| refuse(Refusal::new("Kode Dokter harus berupa angka")))?;
    let hari = match hari.trim().parse::<i64>() {
        Ok(h @ 1..=7) => h,
        _ => {
            return Err(refuse(Refusal::new(
                "Hari tidak sesuai, isi 1 (Senin) sampai 7 (Minggu)",
            )))
        }
    };
    let jampraktek = domain::parse_hours(&jampraktek).ok_or_else(|| {
        refuse(Refusal::new(
            "Format Jam Praktek tidak sesuai, format yang benar adalah HH:mm-HH:mm",
        ))
    })?;
    let (today, until) = window(&ctx);
    let filter = BookingFilter::Jadwal {
        today,
        until,
        kodepoli,
        kodedokter,
        jampraktek,
    };
    pendaftaran(&ctx, &signed, &filter, Some(hari)).await
}

/// Today and the last day `pendaftaran` lists look at (`queue.pendaftaran_days` ahead).
fn window(ctx: &QueueCtx) -> (String, String) {
    let today = today_jakarta(ctx.kernel.clock.as_ref());
    let days = ctx.family.config.pendaftaran_days.clamp(1, 3660);
    let until = today + chrono::Duration::days(days - 1);
    (
        today.format("%Y-%m-%d").to_string(),
        until.format("%Y-%m-%d").to_string(),
    )
}

async fn pendaftaran(
    ctx: &QueueCtx,
    signed: &crate::kernel::auth::bpjs::SignedRequest,
    filter: &BookingFilter,
    hari: Option<i64>,
) -> AppResult<Json<EncryptedAnswer>> {
    let limit = ctx.family.config.pendaftaran_limit;
    let rows = store_read::bookings(&ctx.kernel.db, &signed.consumer.kode_ppk, filter, limit).await?;
    let items: Vec<Pendaftaran> = rows
        .into_iter()
        .filter(|r| match hari {
            None => true,
            Some(h) => parse_date(&r.tanggalperiksa).map(domain::hari) == Some(h),
        })
        .map(to_pendaftaran)
        .collect();
    if items.is_empty() {
        return Err(AppError::rejected("201", "Data tidak ditemukan"));
    }
    encrypted(signed, &items).await
}

fn to_pendaftaran(r: store_read::BookingRow) -> Pendaftaran {
    let status = tasks::status(r.batal == 1, &[r.last_task]).to_string();
    Pendaftaran {
        kodebooking: r.kodebooking,
        tanggal: r.tanggalperiksa,
        kodepoli: r.kodepoli,
        kodedokter: r.kodedokter,
        jampraktek: r.jampraktek,
        nik: r.nik,
        nokapst: r.nomorkartu,
        nohp: r.nohp,
        norekammedis: r.norm,
        jeniskunjungan: r.jeniskunjungan,
        nomorreferensi: r.nomorreferensi,
        sumberdata: "Bridging Antrean".to_string(),
        ispeserta: i64::from(r.jenispasien == "JKN"),
        noantrean: r.nomorantrean,
        estimasidilayani: r.estimasidilayani,
        createdtime: r.created_at,
        status,
    }
}
